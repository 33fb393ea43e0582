import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, mountConsole, nativeSelects } from '../common/testing.js'
import { clearPlaceCache } from '../places/placeCache.js'
import TipoffsPage from './TipoffsPage.vue'
import { COUNTY_ADMIN } from '../common/meFixtures.js'

const VILLAGE_ADMIN = { grants: [{ role: 'village_admin', place: '330825002201' }], name: '团村管',
  permissions: { 'tipoffs.read': ['330825002201'], 'tipoffs.handle': ['330825002201'] } }

const PLACES = {
  330825: { code: '330825', name: '龙游县', level: 'county', parent: null },
  330825001: { code: '330825001', name: '东华街道', level: 'township', parent: '330825' },
  330825001201: { code: '330825001201', name: '张王村', level: 'village', parent: '330825001' },
  330825002: { code: '330825002', name: '龙洲街道', level: 'township', parent: '330825' },
  330825002201: { code: '330825002201', name: '团石村', level: 'village', parent: '330825002' },
  330825002202: { code: '330825002202', name: '下徐村', level: 'village', parent: '330825002' },
}

let n = 0
function tip(o = {}) {
  n += 1
  return { id: `330825002201-15922000000${String(n).padStart(2, '0')}-abcd00${String(n).padStart(2, '0')}`,
    village: '330825002201', category: 'gathering', description: `村口有人聚集打牌${n}`, location: '村口小卖部',
    anonymous: true, reporter: null, status: 'open', disposition: null, note: null, handled_by: null,
    handled_at: null, created_at: '2020-06-15T01:00:00Z', ...o }
}

/** A small tip-off server: lists by village and status (newest first); PUT handles. */
function server(initial) {
  const all = [...initial]
  const f = fakeFetch([
    ['GET', '/api/places', (url) => {
      const u = new URL(url, 'http://x')
      const parent = u.searchParams.get('parent')
      if (parent) return { body: { items: Object.values(PLACES).filter((p) => p.parent === parent), next_cursor: null } }
      return { body: PLACES[u.pathname.split('/').pop()] }
    }],
    ['GET', '/api/tipoffs?', (url) => {
      const q = new URL(url, 'http://x').searchParams
      const items = all.filter((x) => (!q.get('village') || x.village === q.get('village'))
        && (!q.get('status') || x.status === q.get('status')))
      return { body: { items, next_cursor: null } }
    }],
    ['PUT', '/api/tipoffs/', (url, init) => {
      const x = all.find((y) => url.endsWith(`/tipoffs/${y.id}`))
      const body = JSON.parse(init.body)
      if ((body.note || '').length > 10) {
        return { status: 422, body: { error: { code: 'validation_failed', message: '提交的内容不符合要求',
          details: [{ field: 'note', code: 'string_too_long', message: '内容过长' }] } } }
      }
      Object.assign(x, body, { handled_by: '团村管', handled_at: '2020-06-15T02:00:00Z' })
      return { body: { ...x } }
    }],
  ])
  f.all = all
  return f
}

async function settle() {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0)
}
const debounce = () => vi.advanceTimersByTimeAsync(200) // Element Plus shows a form item's error after a debounce

/** me: GET /api/me of the signed-in person (the page reads tipoffs.read and tipoffs.handle). */
function mountAs(me) {
  const pinia = createPinia()
  useAuth(pinia).me = me
  return mountConsole(TipoffsPage, { pinia, stubs: nativeSelects })
}

const lists = (f) => f.calls.filter((c) => c.method === 'GET' && c.url.includes('/api/tipoffs?'))
const rows = (w) => w.findAll('.el-table__body tr')
const byLabel = (label) => [...document.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === label)
const dialog = () => document.querySelector('.el-dialog')
const dialogButton = (text) => [...dialog().querySelectorAll('button')].find((b) => b.textContent.trim() === text)

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }))
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  clearPlaceCache()
  document.body.innerHTML = ''
})

describe('TipoffsPage', () => {
  it('lists the whole county for the county admin, anonymous ones as 匿名, and shows a new one within a 10 s poll',
    async () => {
      const f = server([tip(), tip({ anonymous: false, reporter: '李秀英', category: 'returnee',
        description: '邻居家儿子从外省返乡' })])
      vi.stubGlobal('fetch', f)
      const w = mountAs(COUNTY_ADMIN)
      await settle()
      const first = new URL(lists(f)[0].url, 'http://x').searchParams
      expect(first.get('village')).toBeNull() // the county
      expect(first.get('status')).toBe('open')
      expect(rows(w)).toHaveLength(2)
      expect(rows(w)[0].text()).toContain('团石村')
      expect(rows(w)[0].text()).toContain('聚集活动')
      expect(rows(w)[0].text()).toContain('匿名')
      expect(rows(w)[1].text()).toContain('李秀英')
      expect(rows(w)[1].text()).toContain('返乡人员')
      expect(w.find('.tipoffs__badge').exists()).toBe(false) // what was there already is no news
      expect(document.querySelector('.el-notification')).toBeNull()

      f.all.unshift(tip({ description: '祠堂里有人办酒席' }))
      await vi.advanceTimersByTimeAsync(10000)
      await settle()
      expect(rows(w)).toHaveLength(3)
      expect(rows(w)[0].text()).toContain('祠堂里有人办酒席')
      expect(rows(w)[0].text()).toContain('新')
      expect(rows(w)[0].classes()).toContain('tipoffs__row--fresh')
      expect(w.find('.tipoffs__badge').text()).toBe('1')
      expect(document.querySelector('.el-notification').textContent).toContain('团石村：聚集活动（祠堂里有人办酒席）')
      expect(w.find('[aria-live]').text()).toContain('祠堂里有人办酒席')

      const before = lists(f).length
      w.unmount()
      await vi.advanceTimersByTimeAsync(60000)
      expect(lists(f)).toHaveLength(before)
    })

  it('narrows the county list to a village and by status', async () => {
    const f = server([tip(), tip({ village: '330825002202', description: '下徐村的举报' })])
    vi.stubGlobal('fetch', f)
    const w = mountAs(COUNTY_ADMIN)
    await settle()
    expect(rows(w)).toHaveLength(2)
    const select = w.find('select[aria-label="行政村"]')
    expect(select.findAll('optgroup').map((g) => g.attributes('label'))).toEqual(['东华街道', '龙洲街道'])
    expect(select.findAll('option').map((o) => o.text()).filter(Boolean)).toEqual(['张王村', '团石村', '下徐村'])
    await select.setValue('330825002202')
    await settle()
    expect(new URL(lists(f).at(-1).url, 'http://x').searchParams.get('village')).toBe('330825002202')
    expect(rows(w)).toHaveLength(1)
    expect(rows(w)[0].text()).toContain('下徐村的举报')
    await w.findAll('.el-tabs__item')[3].trigger('click') // 全部
    await settle()
    const q = new URL(lists(f).at(-1).url, 'http://x').searchParams
    expect([q.get('village'), q.get('status')]).toEqual(['330825002202', null])
    w.unmount()
  })

  it('a village admin marks one as being handled, then closes it with a disposition; errors by field', async () => {
    const one = tip({ description: '村口聚集' })
    const f = server([one])
    vi.stubGlobal('fetch', f)
    const w = mountAs(VILLAGE_ADMIN)
    await settle()
    expect(w.find('[data-place-only]').text()).toBe('团石村')
    expect(new URL(lists(f)[0].url, 'http://x').searchParams.get('village')).toBe('330825002201')
    const name = `团石村 ${rows(w)[0].findAll('td')[0].text().slice(0, 16)}`

    byLabel(`处理 ${name} 的举报`).click()
    await settle()
    expect(dialog().textContent).toContain('团石村 · 聚集活动：村口聚集')
    dialogButton('处理').click()
    await settle()
    await debounce()
    expect(dialog().querySelector('.el-form-item__error').textContent).toContain('请填写处理情况')
    expect(f.calls.some((c) => c.method === 'PUT')).toBe(false)
    const note = dialog().querySelector('#tipoff-note')
    note.value = '已通知网格员'
    note.dispatchEvent(new Event('input'))
    dialogButton('处理').click()
    await settle()
    expect(JSON.parse(f.calls.find((c) => c.method === 'PUT').init.body)).toEqual({ status: 'handling',
      note: '已通知网格员' })
    expect(rows(w)).toHaveLength(0) // no longer open
    expect(document.body.textContent).toContain('已标记为处理中')

    await w.findAll('.el-tabs__item')[1].trigger('click') // 处理中
    await settle()
    expect(rows(w)[0].text()).toContain('处理中')
    expect(byLabel(`处理 ${name} 的举报`)).toBeUndefined()
    byLabel(`办结 ${name} 的举报`).click()
    await settle()
    dialogButton('办结').click()
    await settle()
    await debounce()
    expect(dialog().querySelector('.el-form-item__error').textContent).toContain('请选择处置结果')
    const disposition = dialog().querySelector('select[aria-label="处置结果"]')
    expect([...disposition.options].map((o) => o.text).filter(Boolean)).toEqual(
      ['已劝导警示', '已安排隔离观察', '经核实不属实', '其他'])
    disposition.value = 'warned'
    disposition.dispatchEvent(new Event('change'))
    const closeNote = dialog().querySelector('#tipoff-note')
    closeNote.value = '已上门劝散并对组织者进行警示教育'
    closeNote.dispatchEvent(new Event('input'))
    dialogButton('办结').click()
    await settle()
    await debounce()
    expect(dialog().querySelector('.el-form-item__error').textContent).toContain('内容过长') // the API's 422
    closeNote.value = '已劝散'
    closeNote.dispatchEvent(new Event('input'))
    dialogButton('办结').click()
    await settle()
    expect(JSON.parse(f.calls.filter((c) => c.method === 'PUT').at(-1).init.body)).toEqual({ status: 'closed',
      disposition: 'warned', note: '已劝散' })
    expect(rows(w)).toHaveLength(0)

    await w.findAll('.el-tabs__item')[2].trigger('click') // 已办结
    await settle()
    expect(rows(w)[0].text()).toContain('已劝导警示')
    expect(byLabel(`办结 ${name} 的举报`)).toBeUndefined()
    byLabel(`查看 ${name} 的举报`).click()
    await settle()
    const drawer = document.querySelector('.el-drawer')
    expect(drawer.querySelector('[data-field=reporter]').textContent).toBe('匿名')
    expect(drawer.querySelector('[data-field=disposition]').textContent).toBe('已劝导警示')
    expect(drawer.querySelector('[data-field=note]').textContent).toBe('已劝散')
    expect(drawer.querySelector('[data-field=handledBy]').textContent).toBe('团村管')
    expect(drawer.textContent).toContain('工作人员看不到举报人是谁')
    w.unmount()
  })
})
