import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, flush, mountConsole, nativeSelects } from '../common/testing.js'
import { todayInShanghai } from '../daily_report/completion.js'
import { clearPlaceCache } from '../places/placeCache.js'
import ScansPage from './ScansPage.vue'
import { daysBefore } from './scans.js'
import { CHECKPOINT } from '../common/meFixtures.js'

const YESTERDAY = daysBefore(todayInShanghai(), 1)

afterEach(() => {
  vi.unstubAllGlobals()
  clearPlaceCache()
  document.body.innerHTML = ''
})

const settle = async () => {
  for (let i = 0; i < 20; i++) await flush()
}

const PLACES = {
  330825002201: { code: '330825002201', name: '团石村', level: 'village', parent: '330825002' },
  330825001201: { code: '330825001201', name: '张王村', level: 'village', parent: '330825001' },
}
const scan = (i, o) => ({ id: `s${i}`, at: '2020-06-15T01:02:03Z', result: 'pass', reasons: [], holder: '徐**',
  village: '330825002201', colour: 'green', ...o })
// 25 scans on the day: the log pages by 20, the counts by 100
const DAY = [
  scan(0, { result: 'stop', reasons: ['red_code'], colour: 'red', holder: '王**', village: '330825001201' }),
  scan(1, { result: 'invalid', reasons: ['pass_forged'], holder: null, village: null, colour: null }),
  scan(2, { result: 'stop', reasons: ['not_reported'], colour: null }),
  ...Array.from({ length: 22 }, (_, i) => scan(i + 3)),
]

function api() {
  return fakeFetch([
    ['GET', '/api/places/', (url) => ({ body: PLACES[url.split('/').pop()] })],
    ['GET', '/api/passes/scans?', (url) => {
      const q = new URL(url, 'http://x').searchParams
      const day = q.get('date') === YESTERDAY ? [] : DAY
      const from = Number(q.get('cursor') || 0)
      const to = from + Number(q.get('limit'))
      return { body: { items: day.slice(from, to), next_cursor: to < day.length ? String(to) : null } }
    }],
  ])
}

/** me: GET /api/me of the signed-in person (the page reads the places of passes.logs). */
function mountAs(me) {
  const pinia = createPinia()
  useAuth(pinia).me = me
  return mountConsole(ScansPage, { pinia, stubs: nativeSelects })
}
const rows = (w) => w.findAll('.el-table__body tr')

describe('ScansPage', () => {
  it('shows today’s log of the checkpoint with results and reasons in words, the day’s counts, and pages', async () => {
    const f = api()
    vi.stubGlobal('fetch', f)
    const w = mountAs(CHECKPOINT)
    await settle()
    const today = todayInShanghai()
    const first = new URL(f.calls.find((c) => c.url.includes('/scans')).url, 'http://x').searchParams
    expect([first.get('checkpoint'), first.get('date')]).toEqual(['330825002201', today])
    expect(w.find('[data-place-only]').text()).toBe('团石村')
    expect(w.find('[role=status]').text()).toBe(
      `团石村 ${today} 共扫码 25 次：通行 22 次，禁止 2 次，无效 1 次`)
    expect(w.find('[data-result=pass]').text()).toBe('通行22')
    expect(rows(w)).toHaveLength(20)
    const cells = (i) => rows(w)[i].findAll('td').map((d) => d.text())
    expect(cells(0)).toEqual(['09:02:03', '禁止', '红码', '王**', '张王村', '红码'])
    expect(cells(1)).toEqual(['09:02:03', '无效', '伪造', '—', '—', '—'])
    expect(cells(2)).toEqual(['09:02:03', '禁止', '未上报', '徐**', '团石村', '—'])
    expect(cells(3)).toEqual(['09:02:03', '通行', '', '徐**', '团石村', '绿码'])
    expect(w.find('.el-table').attributes('aria-label')).toBe(`团石村 ${today} 的扫码记录`)

    const next = w.findAll('.pager button').find((b) => b.text() === '下一页')
    await next.trigger('click')
    await settle()
    expect(rows(w)).toHaveLength(5)
    expect(w.find('.pager').text()).toContain('第 2 页')
    w.unmount()
  })

  it('another day of another checkpoint', async () => {
    const f = api()
    vi.stubGlobal('fetch', f)
    const w = mountAs({ grants: [{ role: 'village_admin', place: '330825002201' }, { role: 'village_admin',
      place: '330825001201' }], permissions: { 'passes.logs': ['330825001201', '330825002201'] } })
    await settle()
    const select = w.find('select[aria-label="卡口（行政村）"]')
    expect(select.findAll('option').map((o) => o.text()).filter(Boolean)).toEqual(['张王村', '团石村'])
    expect(f.calls.find((c) => c.url.includes('/scans')).url).toContain('checkpoint=330825001201')
    await select.setValue('330825002201')
    await settle()
    expect(f.calls.at(-1).url).toContain('checkpoint=330825002201')
    const picker = w.find('input[aria-label="日期"]')
    await picker.setValue(YESTERDAY)
    await picker.trigger('change')
    await settle()
    expect(f.calls.some((c) => c.url.includes(`date=${YESTERDAY}`))).toBe(true)
    expect(w.text()).toContain('当天没有扫码记录')
    expect(w.find('[role=status]').text()).toContain('共扫码 0 次')
    w.unmount()
  })

  it('shows the API error', async () => {
    vi.stubGlobal('fetch', fakeFetch([
      ['GET', '/api/places/', { body: PLACES[330825002201] }],
      ['GET', '/api/passes/scans', { status: 403, body: { error: { code: 'forbidden_scope',
        message: '没有权限访问该范围的数据', details: null } } }],
    ]))
    const w = mountAs(CHECKPOINT)
    await settle()
    expect(w.find('[role=alert]').text()).toContain('没有权限访问该范围的数据')
    w.unmount()
  })
})
