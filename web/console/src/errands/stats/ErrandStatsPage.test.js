import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../../auth/store.js'
import { fakeFetch, flush, mountConsole, nativeSelects } from '../../common/testing.js'
import { clearPlaceCache } from '../../places/placeCache.js'
import ErrandStatsPage from './ErrandStatsPage.vue'
import { byTownship, rateText, thisMonth } from './stats.js'

// ECharts does not draw in jsdom: the chart is a plain element with its accessible name and the option it got.
vi.mock('../../common/EChart.vue', () => ({
  __esModule: true,
  default: { props: ['option', 'label'], template: '<div role="img" :aria-label="label" class="fake-chart">'
    + '{{ (option.xAxis.data || option.yAxis.data).join("/") }}={{ option.series[0].data.join("/") }}</div>' },
}))

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  clearPlaceCache()
  document.body.innerHTML = ''
})

const settle = async () => {
  for (let i = 0; i < 20; i++) await flush()
}

// The month picker as a native input (jsdom cannot open Element Plus's panel).
const stubs = {
  ...nativeSelects,
  ElDatePicker: { props: ['modelValue'], emits: ['update:modelValue'], inheritAttrs: false,
    template: '<input :aria-label="$attrs[\'aria-label\']" :value="modelValue" '
      + '@change="$emit(\'update:modelValue\', $event.target.value)">' },
}

const PLACES = {
  330825: { code: '330825', name: '龙游县', level: 'county', parent: null },
  330825001: { code: '330825001', name: '东华街道', level: 'township', parent: '330825' },
  330825002: { code: '330825002', name: '龙洲街道', level: 'township', parent: '330825' },
  330825003: { code: '330825003', name: '湖镇镇', level: 'township', parent: '330825' },
}

const row = (township, item, itemName, n) => ({
  township, township_name: township && PLACES[township].name, item, item_name: itemName, ...n })
const ROWS = [
  row('330825001', 'a1', '生育登记', { applied: 3, decided: 2, approved: 1, refused: 1, within_limit: 2, days_sum: 5,
    to_door: 1, at_point: 0, within_limit_rate: 1, avg_days: 2.5, to_door_share: 1 }),
  row('330825001', 'b2', '老年优待证', { applied: 1, decided: 0, approved: 0, refused: 0, within_limit: 0, days_sum: 0,
    to_door: 0, at_point: 0, within_limit_rate: null, avg_days: null, to_door_share: null }),
  row('330825002', 'a1', '生育登记', { applied: 2, decided: 2, approved: 2, refused: 0, within_limit: 1, days_sum: 30,
    to_door: 1, at_point: 1, within_limit_rate: 0.5, avg_days: 15, to_door_share: 0.5 }),
]
const ITEMS = [
  row(null, 'a1', '生育登记', { applied: 5, decided: 4, approved: 3, refused: 1, within_limit: 3, days_sum: 35,
    to_door: 2, at_point: 1, within_limit_rate: 0.75, avg_days: 8.8, to_door_share: 0.667 }),
  row(null, 'b2', '老年优待证', ROWS[1]),
]
const TOTAL = { ...row(null, null, null, ITEMS[0]), applied: 6 }
const EMPTY = { applied: 0, decided: 0, approved: 0, refused: 0, within_limit: 0, days_sum: 0, to_door: 0,
  at_point: 0, within_limit_rate: null, avg_days: null, to_door_share: null }

function api({ empty = false } = {}) {
  return fakeFetch([
    ['GET', '/api/places', (url) => {
      const u = new URL(url, 'http://x')
      const parent = u.searchParams.get('parent')
      if (parent) return { body: { items: Object.values(PLACES).filter((p) => p.parent === parent), next_cursor: null } }
      return { body: PLACES[u.pathname.split('/').pop()] }
    }],
    ['GET', '/api/errands/stats?', (url) => {
      const q = new URL(url, 'http://x').searchParams
      const place = q.get('place')
      const month = q.get('month')
      if (empty || month === '2026-01') {
        return { body: { month, place, rows: [], items: [], total: { ...row(null, null, null, EMPTY) } } }
      }
      const rows = ROWS.filter((r) => r.township.startsWith(place))
      return { body: { month, place, rows, items: place === '330825' ? ITEMS : [ITEMS[0]].map((i) => ({ ...i,
        ...ROWS[0] })).concat([ITEMS[1]]), total: place === '330825' ? TOTAL : { ...TOTAL, ...ROWS[0], applied: 4 } } }
    }],
    ['POST', '/api/errands/stats/export', { body: { url: 'http://s3.test/330825/exports/x.xlsx?sig=1',
      filename: '网上代办统计-2026-12.xlsx' } }],
  ])
}

function mountAs(places) {
  const pinia = createPinia()
  useAuth(pinia).me = { tenant: '330825', grants: [], permissions: { 'errands.read': places } }
  return mountConsole(ErrandStatsPage, { pinia, stubs })
}

const cells = (table) => table.findAll('.el-table__body tr').map((r) => r.findAll('td').map((d) => d.text()))

describe('ErrandStatsPage', () => {
  it('shows the county this month: KPI cards, the charts per township and item, and both tables', async () => {
    const f = api()
    vi.stubGlobal('fetch', f)
    const w = mountAs(['330825'])
    await settle()
    const q = new URL(f.calls.find((c) => c.url.includes('/errands/stats')).url, 'http://x').searchParams
    expect([q.get('place'), q.get('month')]).toEqual(['330825', thisMonth()])
    expect(w.find('h1').text()).toBe('网上代办统计')

    const kpi = (k) => [w.find(`[data-kpi=${k}] dt`).text(), w.findAll(`[data-kpi=${k}] dd`).map((d) => d.text())]
    expect(kpi('applied')).toEqual(['申请数', ['6', '涉及 2 个事项']])
    expect(kpi('decided')).toEqual(['已办结', ['4', '准予 3 件，不予 1 件']])
    expect(kpi('within_limit_rate')).toEqual(['法定时限内办结率', ['75%', '3 / 4 件在法定时限内办结']])
    expect(kpi('avg_days')).toEqual(['平均用时（工作日）', ['8.8', '从提交申请到作出决定']])
    expect(kpi('to_door_share')).toEqual(['送达到家占比（“少跑路”）', ['66.7%', '快递到家 2 件，网点领取 1 件']])

    // Charts: every township of the county (湖镇镇 had none), the items most applied for, the on-time rate.
    const charts = w.findAll('[role=img]')
    expect(charts.map((c) => c.attributes('aria-label'))).toEqual([
      expect.stringMatching(/^龙游县 \d{4}年\d{1,2}月 各乡镇申请数$/),
      expect.stringMatching(/申请最多的事项$/), expect.stringMatching(/各乡镇法定时限内办结率$/)])
    expect(charts.map((c) => c.text())).toEqual(['东华街道/龙洲街道/湖镇镇=4/2/0', '老年优待证/生育登记=1/5',
      '东华街道/龙洲街道/湖镇镇=100/50/-'])

    const [items, rows] = w.findAll('.el-table')
    expect(items.attributes('aria-label')).toMatch(/^龙游县 .* 各事项$/)
    expect(cells(items)).toEqual([
      ['生育登记', '5', '4', '3', '1', '75%', '8.8', '66.7%'],
      ['老年优待证', '1', '0', '0', '0', '—', '—', '—']])
    expect(cells(rows)).toEqual([
      ['东华街道', '生育登记', '3', '2', '1', '1', '100%', '2.5', '100%'],
      ['东华街道', '老年优待证', '1', '0', '0', '0', '—', '—', '—'],
      ['龙洲街道', '生育登记', '2', '2', '2', '0', '50%', '15', '50%']])

    // Sortable: by the on-time rate, the ones without a rate go below.
    const header = (table, label) => table.findAll('th').find((th) => th.text() === label)
    await header(rows, '按时办结率').trigger('click')
    await settle()
    expect(cells(rows).map((r) => r[6])).toEqual(['—', '50%', '100%'])
    await header(rows, '按时办结率').trigger('click')
    await settle()
    expect(cells(rows).map((r) => r[6])).toEqual(['100%', '50%', '—'])

    // Another month, another place.
    await w.find('input[aria-label="月份"]').setValue('2026-11')
    await settle()
    expect(f.calls.at(-1).url).toContain('place=330825&month=2026-11')
    const place = w.find('select[aria-label="地点"]')
    expect(place.findAll('option').map((o) => o.text()).filter(Boolean)).toEqual(
      ['龙游县', '东华街道', '龙洲街道', '湖镇镇'])
    await place.setValue('330825001')
    await settle()
    expect(f.calls.at(-1).url).toContain('place=330825001&month=2026-11')
    expect(w.find('[data-kpi=applied] dd').text()).toBe('4')
    // a township: no per-township charts, only its items
    expect(w.findAll('[role=img]').map((c) => c.attributes('aria-label'))).toEqual([
      '东华街道 2026年11月 申请最多的事项'])
    w.unmount()
  })

  it('导出Excel asks for the workbook and saves it under its own name', async () => {
    const f = api()
    const saved = []
    const fetchAll = async (url, init) => {
      if (String(url).startsWith('http://s3.test/')) {
        saved.push(String(url))
        return { ok: true, status: 200, blob: async () => new Blob(['xlsx']) }
      }
      return f(url, init)
    }
    vi.stubGlobal('fetch', fetchAll)
    // jsdom has no object URLs: a named one stands for the workbook's blob
    URL.createObjectURL = vi.fn(() => 'blob:workbook')
    URL.revokeObjectURL = vi.fn()
    const clicked = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function click() {
      clicked.push({ href: this.getAttribute('href'), download: this.download })
    })
    const w = mountAs(['330825'])
    await settle()
    const button = w.find('[data-test=export]')
    expect(button.text()).toBe('导出Excel')
    await button.trigger('click')
    await settle()
    const call = f.calls.find((c) => c.method === 'POST')
    expect(call.url).toBe('/api/errands/stats/export')
    expect(JSON.parse(call.init.body)).toEqual({ place: '330825', month: thisMonth() })
    expect(saved).toEqual(['http://s3.test/330825/exports/x.xlsx?sig=1'])
    expect(clicked).toEqual([{ href: 'blob:workbook', download: '网上代办统计-2026-12.xlsx' }])
    expect(URL.createObjectURL.mock.calls[0][0]).toBeInstanceOf(Blob)
    w.unmount()
    delete URL.createObjectURL
    delete URL.revokeObjectURL
  })

  it('a month without applications says so, with no cards, charts or tables, and nothing to export', async () => {
    vi.stubGlobal('fetch', api({ empty: true }))
    const w = mountAs(['330825002'])
    await settle()
    expect(w.find('[data-place-only]').text()).toBe('龙洲街道')
    const empty = w.find('[data-test=empty]')
    expect(empty.text()).toMatch(/^龙洲街道 \d{4}年\d{1,2}月 还没有网上代办申请/)
    expect(empty.text()).toContain('村民或网格员在手机上提交申请后')
    expect(w.findAll('[data-kpi]')).toHaveLength(0)
    expect(w.findAll('[role=img]')).toHaveLength(0)
    expect(w.findAll('.el-table')).toHaveLength(0)
    expect(w.find('[data-test=export]').attributes('disabled')).toBeDefined()
    w.unmount()
  })
})

describe('errand stats helpers', () => {
  it('this month is Shanghai\'s; rates as 92.5% and none as —', () => {
    expect(thisMonth(new Date('2026-11-30T16:30:00Z'))).toBe('2026-12') // 00:30 on 1 December in Shanghai
    expect(thisMonth(new Date('2026-11-30T15:30:00Z'))).toBe('2026-11')
    expect([rateText(0.925), rateText(1), rateText(0), rateText(null)]).toEqual(['92.5%', '100%', '0%', '—'])
  })
  it('sums the rows per township, the townships without applications as zeros', () => {
    const out = byTownship(ROWS, [PLACES[330825001], PLACES[330825003]])
    expect(out.map((t) => [t.name, t.applied, t.decided, t.within_limit_rate])).toEqual([
      ['东华街道', 4, 2, 1], ['湖镇镇', 0, 0, null], ['龙洲街道', 2, 2, 0.5]])
  })
})
