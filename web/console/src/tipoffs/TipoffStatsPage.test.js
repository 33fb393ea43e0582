import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, flush, mountConsole, nativeSelects } from '../common/testing.js'
import { clearPlaceCache } from '../places/placeCache.js'
import TipoffStatsPage from './TipoffStatsPage.vue'
import { COMMAND } from '../common/meFixtures.js'

// ECharts does not draw in jsdom: the chart is a plain element with its accessible name and the option it got.
vi.mock('../common/EChart.vue', () => ({
  __esModule: true,
  default: { props: ['option', 'label'], template: '<div role="img" :aria-label="label" class="fake-chart">'
    + '{{ option.series.map((s) => s.name + ":" + s.stack + ":" + s.data.join("/")).join(",") }}</div>' },
}))

afterEach(() => {
  vi.unstubAllGlobals()
  clearPlaceCache()
  document.body.innerHTML = ''
})

const settle = async () => {
  for (let i = 0; i < 20; i++) await flush()
}

const PLACES = {
  330825: { code: '330825', name: '龙游县', level: 'county', parent: null },
  330825002: { code: '330825002', name: '龙洲街道', level: 'township', parent: '330825' },
  330825002201: { code: '330825002201', name: '团石村', level: 'village', parent: '330825002' },
  330825002202: { code: '330825002202', name: '下徐村', level: 'village', parent: '330825002' },
}
const ROWS = [
  { week: '2020-W24', village: '330825002201', village_name: '团石村', category: 'returnee', count: 2 },
  { week: '2020-W25', village: '330825002201', village_name: '团石村', category: 'gathering', count: 1 },
  { week: '2020-W25', village: '330825002202', village_name: '下徐村', category: 'gathering', count: 3 },
]

function api() {
  return fakeFetch([
    ['GET', '/api/places', (url) => {
      const u = new URL(url, 'http://x')
      const parent = u.searchParams.get('parent')
      if (parent) return { body: { items: Object.values(PLACES).filter((p) => p.parent === parent), next_cursor: null } }
      return { body: PLACES[u.pathname.split('/').pop()] }
    }],
    ['GET', '/api/tipoffs/stats?', (url) => {
      const q = new URL(url, 'http://x').searchParams
      const place = q.get('place')
      const weeks = ['2020-W22', '2020-W23', '2020-W24', '2020-W25'].slice(-Number(q.get('weeks')))
      return { body: { place, weeks, rows: ROWS.filter((r) => r.village.startsWith(place) && weeks.includes(r.week)) } }
    }],
  ])
}

/** me: GET /api/me of the signed-in person (the page reads the places of tipoffs.read). */
function mountAs(me) {
  const pinia = createPinia()
  useAuth(pinia).me = me
  return mountConsole(TipoffStatsPage, { pinia, stubs: nativeSelects })
}

describe('TipoffStatsPage', () => {
  it('shows the county by week and by village, and the stacked chart; a village narrows it', async () => {
    const f = api()
    vi.stubGlobal('fetch', f)
    const w = mountAs(COMMAND)
    await settle()
    const first = new URL(f.calls.find((c) => c.url.includes('/stats')).url, 'http://x').searchParams
    expect([first.get('place'), first.get('weeks')]).toEqual(['330825', '8'])
    expect(w.find('[role=status]').text()).toBe('龙游县 近 8 周共 6 条举报：返乡人员 2，聚集活动 4，其他风险 0')
    const [weeks, villages] = w.findAll('.el-table')
    expect(weeks.attributes('aria-label')).toBe('龙游县 各周各类举报数')
    expect(weeks.findAll('.el-table__body tr').map((r) => r.findAll('td').map((d) => d.text()))).toEqual([
      ['2020-W22（2020-05-25 起）', '0', '0', '0', '0'], ['2020-W23（2020-06-01 起）', '0', '0', '0', '0'],
      ['2020-W24（2020-06-08 起）', '2', '0', '0', '2'], ['2020-W25（2020-06-15 起）', '0', '4', '0', '4']])
    expect(villages.findAll('.el-table__body tr').map((r) => r.findAll('td').map((d) => d.text()))).toEqual([
      ['团石村', '2', '1', '0', '3'], ['下徐村', '0', '3', '0', '3']])
    const chart = w.find('[role=img]')
    expect(chart.attributes('aria-label')).toBe('龙游县 近 8 周各类举报数')
    expect(chart.text()).toBe('返乡人员:categories:0/0/2/0,聚集活动:categories:0/0/0/4,其他风险:categories:0/0/0/0')

    const place = w.find('select[aria-label="地点"]')
    expect(place.findAll('option').map((o) => o.text()).filter(Boolean)).toEqual(
      ['龙游县（全部）', '龙洲街道（全部）', '团石村', '下徐村'])
    await place.setValue('330825002202')
    await settle()
    expect(w.find('[role=status]').text()).toBe('下徐村 近 8 周共 3 条举报：返乡人员 0，聚集活动 3，其他风险 0')
    await w.find('select[aria-label="统计周数"]').setValue('4')
    await settle()
    expect(f.calls.at(-1).url).toContain('place=330825002202&weeks=4')
    w.unmount()
  })

  it('says so when a place had no tip-offs', async () => {
    vi.stubGlobal('fetch', fakeFetch([
      ['GET', '/api/places/330825002201', { body: PLACES[330825002201] }],
      ['GET', '/api/tipoffs/stats', { body: { place: '330825002201', weeks: ['2020-W25'], rows: [] } }],
    ]))
    const w = mountAs({ grants: [{ role: 'village_admin', place: '330825002201' }],
      permissions: { 'tipoffs.read': ['330825002201'], 'tipoffs.handle': ['330825002201'] } })
    await settle()
    expect(w.find('[data-place-only]').text()).toBe('团石村')
    expect(w.find('[role=status]').text()).toContain('团石村 近 8 周共 0 条举报')
    expect(w.findAll('.el-table')[1].text()).toContain('近 8 周没有举报')
    w.unmount()
  })
})
