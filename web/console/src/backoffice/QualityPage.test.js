import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, flush, mountConsole, nativeSelects } from '../common/testing.js'
import QualityPage from './QualityPage.vue'
import { lastFullMonth, quarterOf } from './quality.js'

// ECharts does not draw in jsdom: the chart is a plain element with its name and the option it got.
vi.mock('../common/EChart.vue', () => ({
  __esModule: true,
  default: { props: ['option', 'label'], template: '<div role="img" :aria-label="label" class="fake-chart">'
    + '{{ option.xAxis.data.join("/") }}={{ option.series.map((s) => s.data.join("/")).join("|") }}</div>' },
}))

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

const settle = async () => {
  for (let i = 0; i < 20; i++) await flush()
}

const cases = (over = {}) => ({ filed: 0, responded: 0, resolved: 0, avg_response_h: null, avg_resolution_h: null,
  within_sla_rate: null, response_within_sla_rate: null, ...over })
const row = (township, name, over = {}) => ({
  township, name, households: 172, linked: 86, coverage: 0.5, days: 30, expected: 5160, reported: 4128,
  on_time: 3612, report_rate: 0.8, on_time_rate: 0.7,
  cases: { snap: cases(), letter: cases({ filed: 1, responded: 1, resolved: 1, avg_response_h: 6,
    avg_resolution_h: 30, within_sla_rate: 1 }) },
  party: { deeds: 0, study: 1, volunteer: 1, points: 10, members: 1, index: 10 }, ...over })
const answer = (period) => ({
  period, kind: period.includes('Q') ? 'quarter' : 'month', months: [period], start: '2026-11-01', end: '2026-11-30',
  scope: '330825', case_types: [{ id: 'snap', name: '随手拍' }, { id: 'letter', name: '村民信箱' }],
  rows: [row('330825001', '东华街道'), row('330825002', '龙洲街道', { cases: { snap: cases(), letter: cases() } })],
  county: row('330825', '龙游县', { households: 344 }),
})

describe('使用质量', () => {
  it('shows last month\'s townships with the county total last, in bold, from one request', async () => {
    const fetch = fakeFetch([['GET', '/backoffice/quality', (url) => ({
      body: answer(new URL(url, 'http://x').searchParams.get('period')) })]])
    vi.stubGlobal('fetch', fetch)
    const w = mountConsole(QualityPage, { stubs: nativeSelects })
    await settle()
    expect(fetch.calls.map((c) => c.url)).toEqual([`/api/backoffice/quality?period=${lastFullMonth()}`])
    const rows = w.findAll('[data-test=quality-table] .el-table__body-wrapper tr')
    expect(rows.map((r) => r.find('td').text())).toEqual(['东华街道', '龙洲街道', '龙游县'])
    expect(rows[2].classes()).toContain('quality__total')
    const cells = rows[0].findAll('td').map((c) => c.text())
    // 乡镇, 登记户数, 关联户数, 覆盖率, 日报完成率, 按时上报率, 随手拍 ×5, 村民信箱 ×5, 党员 ×5
    expect(cells.slice(0, 6)).toEqual(['东华街道', '172', '86', '50%', '80%', '70%'])
    expect(cells.slice(6, 11)).toEqual(['0', '0', '—', '—', '—'])
    expect(cells.slice(11, 16)).toEqual(['1', '1', '6', '30', '100%'])
    expect(cells.slice(16)).toEqual(['0', '1', '1', '10', '10'])
    expect(rows[2].findAll('td')[1].text()).toBe('344')
    const heads = w.findAll('[data-test=quality-table] thead th').map((h) => h.text())
    expect(heads).toEqual(expect.arrayContaining(['住户', '每日上报', '随手拍', '村民信箱', '党员', '时限内办结率',
      '平均响应(小时)', '党建指数']))
    expect(w.find('.fake-chart').text()).toBe('东华街道/龙洲街道=80/80|100/-')
  })

  it('a quarter is asked for when the person switches to quarters', async () => {
    const fetch = fakeFetch([['GET', '/backoffice/quality', (url) => ({
      body: answer(new URL(url, 'http://x').searchParams.get('period')) })]])
    vi.stubGlobal('fetch', fetch)
    const w = mountConsole(QualityPage, { stubs: nativeSelects })
    await settle()
    await w.findAll('.el-radio-button')[1].find('input').setValue(true)
    await settle()
    expect(fetch.calls.map((c) => c.url).at(-1))
      .toBe(`/api/backoffice/quality?period=${quarterOf(lastFullMonth())}`)
    expect(fetch.calls).toHaveLength(2)
  })

  it('导出Excel asks the server for the period\'s workbook and saves it under its own name', async () => {
    const api = fakeFetch([
      ['GET', '/backoffice/quality/export', (url) => ({ body: {
        url: `http://s3.test/330825/exports/backoffice/q.xlsx?sig=1&p=${new URL(url, 'http://x').searchParams.get('period')}`,
        filename: `使用质量-${new URL(url, 'http://x').searchParams.get('period')}.xlsx` } })],
      ['GET', '/backoffice/quality', (url) => ({ body: answer(new URL(url, 'http://x').searchParams.get('period')) })],
    ])
    const saved = []
    vi.stubGlobal('fetch', async (url, init) => {
      if (String(url).startsWith('http://s3.test/')) {
        saved.push(String(url))
        return { ok: true, status: 200, blob: async () => new Blob(['xlsx']) }
      }
      return api(url, init)
    })
    // jsdom has no object URLs: a named one stands for the workbook's blob
    URL.createObjectURL = vi.fn(() => 'blob:workbook')
    URL.revokeObjectURL = vi.fn()
    const clicked = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function click() {
      clicked.push({ href: this.getAttribute('href'), download: this.download })
    })
    const w = mountConsole(QualityPage, { stubs: nativeSelects })
    await settle()
    const button = w.find('[data-test=export]')
    expect(button.text()).toBe('导出Excel')
    await button.trigger('click')
    await settle()
    const period = lastFullMonth()
    expect(api.calls.map((c) => c.url)).toEqual([`/api/backoffice/quality?period=${period}`,
      `/api/backoffice/quality/export?period=${period}`])
    expect(saved).toEqual([`http://s3.test/330825/exports/backoffice/q.xlsx?sig=1&p=${period}`])
    expect(clicked).toEqual([{ href: 'blob:workbook', download: `使用质量-${period}.xlsx` }])
    w.unmount()
    delete URL.createObjectURL
    delete URL.revokeObjectURL
  })

  it('a refused export says why', async () => {
    vi.stubGlobal('fetch', fakeFetch([
      ['GET', '/backoffice/quality/export', { status: 403, body: { error: { code: 'forbidden_scope',
        message: '没有权限访问该范围的数据', details: null } } }],
      ['GET', '/backoffice/quality', (url) => ({ body: answer(new URL(url, 'http://x').searchParams.get('period')) })],
    ]))
    const w = mountConsole(QualityPage, { stubs: nativeSelects })
    await settle()
    await w.find('[data-test=export]').trigger('click')
    await settle()
    expect(document.body.textContent).toContain('没有权限访问该范围的数据')
    w.unmount()
  })

  it('the server\'s message when it refuses', async () => {
    vi.stubGlobal('fetch', fakeFetch([['GET', '/backoffice/quality', { status: 403, body: { error: {
      code: 'forbidden_scope', message: '没有权限访问该范围的数据', details: null } } }]]))
    const w = mountConsole(QualityPage, { stubs: nativeSelects })
    await settle()
    expect(w.find('[role=alert]').text()).toContain('没有权限访问该范围的数据')
    expect(w.find('[data-test=quality-table]').exists()).toBe(false)
    expect(w.find('[data-test=export]').attributes('disabled')).toBeDefined()
  })
})
