import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, mountConsole } from '../common/testing.js'
import AlertsPage from './AlertsPage.vue'
import { COMMAND, COUNTY_ADMIN } from '../common/meFixtures.js'


function alert(id, o = {}) {
  return { id, household: `h${id}`.padEnd(16, '0'), date: '2020-06-15', grid: '330825001201G01',
    village: '330825001201', village_name: '张王村', level: 'red', count: 1,
    members: [{ name: '黄立新', colour: 'red' }], address: `张王村${id}号`, head_name: '黄立新', status: 'open',
    created_at: '2020-06-15T00:30:00Z', acked_at: null, closed_at: null, note: null, ...o }
}

/** A small alerts server: GET lists by status (newest first), ack and close move them. */
function server(initial) {
  const all = [...initial]
  const f = fakeFetch([
    ['GET', '/api/alerts?', (url) => {
      const status = new URL(url, 'http://x').searchParams.get('status')
      return { body: { items: all.filter((a) => a.status === status), next_cursor: null } }
    }],
    ['POST', '/ack', (url) => {
      const a = all.find((x) => url.includes(`/alerts/${x.id}/`))
      if (a.status !== 'open') {
        return { status: 409, body: { error: { code: 'alert_not_open', message: '该预警已被签收或办结', details: null } } }
      }
      Object.assign(a, { status: 'acknowledged', acked_at: '2020-06-15T00:31:00Z' })
      return { body: a }
    }],
    ['POST', '/close', (url, init) => {
      const a = all.find((x) => url.includes(`/alerts/${x.id}/`))
      const { note } = JSON.parse(init.body)
      if (note.length > 5) {
        return { status: 422, body: { error: { code: 'validation_failed', message: '提交的内容不符合要求',
          details: [{ field: 'note', code: 'string_too_long', message: '内容过长' }] } } }
      }
      Object.assign(a, { status: 'closed', closed_at: '2020-06-15T00:40:00Z', note })
      return { body: a }
    }],
  ])
  f.all = all
  return f
}

async function settle() {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0)
}
/** Element Plus shows a form item's error after a short debounce. */
const debounce = () => vi.advanceTimersByTimeAsync(200)

/** me: GET /api/me of the signed-in person (../common/meFixtures.js). */
function mountAs(me) {
  const pinia = createPinia()
  useAuth(pinia).me = me
  return mountConsole(AlertsPage, { pinia })
}

const listCalls = (f) => f.calls.filter((c) => c.method === 'GET').length
const rows = (w) => w.findAll('.el-table__body tr')
const button = (w, label) => w.find(`button[aria-label="${label}"]`)

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }))
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('AlertsPage', () => {
  it('shows a new red code within one 5 s poll, with a badge and a notification, then stops polling when left',
    async () => {
      const f = server([alert('1', { level: 'yellow', members: [{ name: '李秀英', colour: 'yellow' }] })])
      vi.stubGlobal('fetch', f)
      const w = mountAs(COMMAND)
      await settle()
      expect(f.calls[0].url).toContain('status=open')
      expect(rows(w)).toHaveLength(1)
      expect(rows(w)[0].text()).toContain('李秀英（黄码）')
      expect(w.find('.el-tabs__item.is-active').text()).toContain('待签收')
      expect(document.querySelector('.el-notification')).toBeNull() // what was there already is no news

      f.all.unshift(alert('2', { address: '张王村21号' }))
      await vi.advanceTimersByTimeAsync(5000)
      await settle()
      expect(rows(w)).toHaveLength(2)
      expect(rows(w)[0].text()).toContain('张王村21号')
      expect(rows(w)[0].text()).toContain('红码')
      expect(rows(w)[0].text()).toContain('新')
      expect(rows(w)[0].classes()).toContain('alerts__row--fresh')
      expect(w.find('.alerts__badge').text()).toBe('2')
      expect(document.querySelector('.el-notification').textContent).toContain('张王村张王村21号（户主 黄立新）：红码 1 人')
      expect(w.find('[aria-live]').text()).toContain('张王村21号')

      const before = listCalls(f)
      w.unmount()
      await vi.advanceTimersByTimeAsync(30000)
      expect(listCalls(f)).toBe(before)
    })

  it('acknowledges, then closes with a required note; the API’s errors are shown', async () => {
    const f = server([alert('1')])
    vi.stubGlobal('fetch', f)
    const w = mountAs(COMMAND)
    await settle()
    await button(w, '签收 张王村1号 的预警').trigger('click')
    await settle()
    expect(f.calls.some((c) => c.method === 'POST' && c.url === '/api/alerts/1/ack')).toBe(true)
    expect(rows(w)).toHaveLength(0)
    expect(document.body.textContent).toContain('已签收')

    await w.findAll('.el-tabs__item')[1].trigger('click')
    await settle()
    expect(f.calls.at(-1).url).toContain('status=acknowledged')
    expect(rows(w)).toHaveLength(1)
    expect(button(w, '签收 张王村1号 的预警').exists()).toBe(false)
    await button(w, '办结 张王村1号 的预警').trigger('click')
    await settle()
    const dialog = () => document.querySelector('.el-dialog')
    expect(dialog().textContent).toContain('张王村张王村1号（户主 黄立新）')
    const submit = () => [...dialog().querySelectorAll('button')].find((b) => b.textContent.trim() === '办结').click()
    submit()
    await settle()
    await debounce()
    expect(dialog().textContent).toContain('请填写处置情况')
    expect(f.calls.some((c) => c.url.endsWith('/close'))).toBe(false)

    const note = dialog().querySelector('#alert-note')
    note.value = '已上门核实，落实居家健康监测'
    note.dispatchEvent(new Event('input'))
    submit()
    await settle()
    await debounce()
    expect(dialog().querySelector('.el-form-item__error').textContent).toContain('内容过长') // the API's 422

    note.value = '已核实'
    note.dispatchEvent(new Event('input'))
    submit()
    await settle()
    expect(JSON.parse(f.calls.filter((c) => c.url.endsWith('/close')).at(-1).init.body)).toEqual({ note: '已核实' })
    expect(rows(w)).toHaveLength(0)

    await w.findAll('.el-tabs__item')[2].trigger('click')
    await settle()
    expect(rows(w)[0].text()).toContain('已核实')
    w.unmount()
  })

  it('says so when someone else acknowledged it first (409)', async () => {
    const f = server([alert('1')])
    vi.stubGlobal('fetch', f)
    const w = mountAs(COMMAND)
    await settle()
    f.all[0].status = 'acknowledged' // by a colleague, since the last refresh
    await button(w, '签收 张王村1号 的预警').trigger('click')
    await settle()
    expect(w.find('[role=alert]').text()).toContain('该预警已被签收或办结')
    expect(rows(w)).toHaveLength(0) // the refresh after the failure
    w.unmount()
  })

  it('lets the county admin look but not act', async () => {
    vi.stubGlobal('fetch', server([alert('1')]))
    const w = mountAs(COUNTY_ADMIN)
    await settle()
    expect(rows(w)).toHaveLength(1)
    expect(w.findAll('button').filter((b) => /签收|办结/.test(b.text()))).toHaveLength(0)
    expect(w.text()).toContain('签收和办结由县防疫指挥部处理')
    w.unmount()
  })
})
