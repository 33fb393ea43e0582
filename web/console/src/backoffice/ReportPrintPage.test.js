import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, flush, mountConsole } from '../common/testing.js'
import ReportPrintPage from './ReportPrintPage.vue'

vi.mock('vue-router', async (original) => ({ ...(await original()), useRoute: () => ({ params: { id: 'r1' } }) }))

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

const settle = async () => {
  for (let i = 0; i < 20; i++) await flush()
}

const SUMMARY = { name: '汇总', title: '龙游县2026年第四季度党建工作统计表（汇总）',
  headers: ['序号', '乡镇（街道）', '登记户数', '关联覆盖率', '党员积分', '党建指数'], units: [null, null, '户', '%', '分', '分'],
  rows: [[1, '东华街道', 172, 0.5, 85, 28.3], [2, '龙洲街道', 19, 0, 10, 10]], total: [null, '合计', 191, 0.4503, 95, 23.8] }
const TOWN = { name: '东华街道', title: '东华街道2026年第四季度党建工作统计表', headers: ['序号', '村（社区）', '登记户数'],
  units: [null, null, '户'], rows: [[1, '张王村', 172]], total: [null, '合计', 172] }
const PRINT = { id: 'r1', quarter: '2026-Q4', title: SUMMARY.title, made_by: '中共龙游县委组织部',
  made_at: '2026-12-07 10:00', period_text: '2026年10月1日至2026年12月31日', sheets: [SUMMARY, TOWN] }

describe('季度党建报表 — 打印预览', () => {
  it('prints every sheet: title, 制表单位/统计期间/制表时间, headers with units, rows and the 合计 row', async () => {
    const fetch = fakeFetch([['GET', '/backoffice/reports/r1/print', { body: PRINT }]])
    vi.stubGlobal('fetch', fetch)
    const w = mountConsole(ReportPrintPage)
    await settle()
    expect(fetch.calls).toHaveLength(1)
    const sheets = w.findAll('section.sheet')
    expect(sheets.map((s) => s.find('h1').text())).toEqual([SUMMARY.title, TOWN.title])
    const first = sheets[0]
    expect(first.text()).toContain('制表单位：中共龙游县委组织部')
    expect(first.text()).toContain('统计期间：2026年10月1日至2026年12月31日')
    expect(first.text()).toContain('制表时间：2026-12-07 10:00')
    expect(first.findAll('th').map((h) => h.text())).toEqual(['序号', '乡镇（街道）', '登记户数（户）', '关联覆盖率',
      '党员积分（分）', '党建指数（分）'])
    expect(first.findAll('tbody tr')[1].findAll('td').map((c) => c.text())).toEqual(['2', '龙洲街道', '19', '0.0%', '10',
      '10.0'])
    expect(first.findAll('tfoot td').map((c) => c.text())).toEqual(['', '合计', '191', '45.0%', '95', '23.8'])
    expect(document.title).toBe(SUMMARY.title)
    const print = vi.fn()
    vi.stubGlobal('print', print)
    await w.find('[data-test=print-now]').trigger('click')
    expect(print).toHaveBeenCalledOnce()
  })

  it('a report not made yet says so in the server\'s words', async () => {
    vi.stubGlobal('fetch', fakeFetch([['GET', '/backoffice/reports/r1/print', { status: 409, body: { error: {
      code: 'report_not_ready', message: '报表尚未生成完成', details: { status: 'running' } } } }]]))
    const w = mountConsole(ReportPrintPage)
    await settle()
    expect(w.find('[role=alert]').text()).toContain('报表尚未生成完成')
    expect(w.findAll('section.sheet')).toHaveLength(0)
  })
})
