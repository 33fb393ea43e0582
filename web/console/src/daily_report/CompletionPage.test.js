import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, flush, mountConsole } from '../common/testing.js'
import CompletionPage from './CompletionPage.vue'
import { todayInShanghai } from './completion.js'
import { TOWNSHIP } from '../common/meFixtures.js'

// ECharts does not draw in jsdom: the chart is a plain element with its accessible name and the option it got.
vi.mock('../common/EChart.vue', () => ({
  __esModule: true,
  default: { props: ['option', 'label'], template: '<div role="img" :aria-label="label" class="fake-chart">'
    + '{{ option.series.map((s) => s.name).join(",") }}</div>' },
}))

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const settle = async () => {
  for (let i = 0; i < 20; i++) await flush()
}

const zero = { on_time: 0, on_time_rate: 0, proxy: 0, green: 0, yellow: 0, red: 0, alert_households: 0,
  outside_households: 0, outside_persons: 0 }
const c = (place, name, date, o) => ({ place, name, date, expected: 0, reported: 0, rate: 0, ...zero, ...o })
const ZW = { expected: 172, reported: 172, rate: 1, on_time: 170, on_time_rate: 0.9884, green: 515, red: 1,
  alert_households: 1, outside_households: 5, outside_persons: 8 }

function api(date) {
  return fakeFetch([
    ['GET', '/api/places/330825001', { body: { code: '330825001', name: '东华街道', level: 'township' } }],
    ['GET', '/api/reports/completion?place=330825001201&', (url) => ({ body: {
      place: c('330825001201', null, date, ZW),
      children: [1, 2, 3, 4].map((g) => c(`330825001201G0${g}`, `张王村第${g}网格`, date,
        { expected: 43, reported: 43, rate: 1, green: g === 1 ? 128 : 129, red: g === 1 ? 1 : 0 })) } })],
    ['GET', '/api/reports/completion?place=330825001&', (url) => ({ body: {
      place: c('330825001', null, new URL(url, 'http://x').searchParams.get('date'), ZW),
      children: [c('330825001201', '张王村', date, ZW)] } })],
    ['GET', '/api/reports/completion?place=330825001201G01&', (url) => ({ body: {
      place: c('330825001201G01', '张王村第一网格', date, { expected: 43, reported: 41, rate: 0.9535 }), children: [] } })],
    ['GET', '/api/reports/trend?place=', (url) => ({ body: { place: new URL(url, 'http://x').searchParams.get('place'),
      days: [c('330825001', null, date, ZW)] } })],
    ['GET', '/api/reports/unreported?grid=330825001201G01&', (url) => ({ body: {
      date, grid: '330825001201G01', grid_name: '张王村第一网格', phones_masked: true, next_cursor: null,
      items: [{ id: 'h1', ref: 'HH-330825001201-007', head_name: '王建国', address: '张王村7号', member_count: 3,
        head_phone: '138****0007', last_report_date: '2020-06-13' },
      { id: 'h2', ref: null, head_name: '李秀英', address: '张王村9号', member_count: 1, head_phone: null,
        last_report_date: null }] } })],
  ])
}

function mountAs(me) {
  const pinia = createPinia()
  const auth = useAuth(pinia)
  auth.me = me
  return mountConsole(CompletionPage, { pinia })
}

describe('CompletionPage', () => {
  it('starts at the person’s own place today (Asia/Shanghai) with the figures and the children', async () => {
    const today = todayInShanghai()
    const f = api(today)
    vi.stubGlobal('fetch', f)
    const w = mountAs(TOWNSHIP)
    await settle()
    const first = f.calls.find((x) => x.url.includes('/completion'))
    expect(first.url).toContain(`date=${today}`)
    expect(first.url).toContain('children=true')
    expect(w.find('[role=status]').text()).toBe(
      `东华街道 ${today}：应报 172 户，已报 172 户，完成率 100%，按时率 98.8%`)
    const figure = (k) => w.find(`[data-figure=${k}]`)
    expect(figure('expected').text()).toBe('应报户数172')
    expect(figure('rate').find('dd').text()).toBe('100%')
    expect(figure('red').find('dd').text()).toBe('1')
    expect(figure('outside_households').find('dd').text()).toBe('5')
    expect(figure('outside_persons').find('dd').text()).toBe('8')
    const row = w.findAll('.el-table__body tr')[0]
    expect(row.findAll('td').map((td) => td.text())).toEqual(
      ['张王村', '172', '172', '100%', '98.8%', '0', '515', '0', '1', '5', '8'])
    expect(w.find('.el-table').attributes('aria-label')).toBe(`东华街道 下各地点 ${today} 的上报情况`)
    // the trend: a lazily loaded chart with its accessible name
    const chart = w.find('[role=img]')
    expect(chart.attributes('aria-label')).toBe('东华街道 近 30 天的完成率、按时率和各色健康码人数')
    expect(chart.text()).toBe('绿码,黄码,红码,完成率,按时率')
    w.unmount()
  })

  /** The township official's completion page, drilled down to 张王村. */
  async function atZhangwang() {
    const today = todayInShanghai()
    const f = api(today)
    vi.stubGlobal('fetch', f)
    const w = mountAs(TOWNSHIP)
    await settle()
    await w.find('button[aria-label="查看下级 张王村"]').trigger('click')
    await settle()
    return { today, f, w }
  }

  it('drills down to a village and shows its grids; the trail leads back', async () => {
    const { today, f, w } = await atZhangwang()
    expect(f.calls.some((x) => x.url.includes('/reports/completion?place=330825001201&'))).toBe(true)
    expect(f.calls.some((x) => x.url.includes('/reports/trend?place=330825001201&days=30'))).toBe(true)
    expect(w.find('[role=status]').text()).toContain(`张王村 ${today}：应报 172 户`)
    const rows = w.findAll('.el-table__body tr')
    expect(rows).toHaveLength(4)
    expect(rows[0].text()).toContain('张王村第1网格')
    expect(w.findAll('button[aria-label^="查看下级"]')).toHaveLength(4) // each grid opens its unreported households
    expect(w.find('[aria-current=page]').text()).toBe('张王村')
    await w.find('nav a').trigger('click')
    await settle()
    expect(w.find('[aria-current=page]').text()).toBe('东华街道')
    w.unmount()
  })

  it('ends at a grid with its unreported households and their contacts, masked as the role requires', async () => {
    const { today, f, w } = await atZhangwang()
    await w.find('button[aria-label="查看下级 张王村第1网格"]').trigger('click')
    await settle()
    const asked = f.calls.find((x) => x.url.includes('/reports/unreported'))
    expect(asked.url).toContain('contacts=true')
    expect(w.findAll('[aria-current=page]').map((x) => x.text())).toEqual(['张王村第1网格'])
    expect(w.findAll('nav li').map((x) => x.text())).toEqual(['东华街道', '张王村', '张王村第1网格'])
    const table = w.find('section[aria-label="张王村第1网格 今日未报住户"]')
    expect(table.exists()).toBe(true)
    const rows = table.findAll('.el-table__body tr').map((r) => r.findAll('td').map((td) => td.text()))
    expect(rows).toEqual([['HH-330825001201-007', '王建国', '张王村7号', '138****0007', '3', '2020-06-13'],
      ['—', '李秀英', '张王村9号', '未登记', '1', '从未上报']])
    expect(w.find('[data-test=phones-masked]').text()).toContain('隐去中间四位')
    expect(w.text()).not.toContain('该地点没有下级')
    // back up by the breadcrumbs
    await w.findAll('nav a')[1].trigger('click')
    await settle()
    expect(w.find('[aria-current=page]').text()).toBe('张王村')
    expect(w.find('section[aria-label$="今日未报住户"]').exists()).toBe(false)
    w.unmount()
  })

  it('shows the API error from the envelope', async () => {
    vi.stubGlobal('fetch', fakeFetch([
      ['GET', '/api/places/330825001', { body: { code: '330825001', name: '东华街道', level: 'township' } }],
      ['GET', '/api/reports/completion', { status: 403, body: { error: { code: 'forbidden_scope',
        message: '没有权限访问该范围的数据', details: null } } }],
      ['GET', '/api/reports/trend', { body: { place: '330825001', days: [] } }],
    ]))
    const w = mountAs(TOWNSHIP)
    await settle()
    expect(w.find('[role=alert]').text()).toContain('没有权限访问该范围的数据')
    w.unmount()
  })
})
