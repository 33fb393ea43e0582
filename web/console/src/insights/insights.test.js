import { describe, expect, it } from 'vitest'
import { categoryTable, excessText, hotspotOption, hotspotPoints, symbolSize, trendOf, weeklyOption, wordsOption } from './insights.js'

const change = (current, previous) => ({ current, previous, change: current - previous,
  change_pct: previous ? Math.round(((current - previous) / previous) * 1000) / 10 : null })

describe('the trend against the previous period', () => {
  it('rises and falls with ▲/▼ and the percent, rounded to one decimal', () => {
    expect(trendOf(change(15, 10))).toEqual({ dir: 'up', text: '▲ 50%' })
    expect(trendOf(change(2, 3))).toEqual({ dir: 'down', text: '▼ 33.3%' })
    expect(trendOf({ current: 5, previous: 3, change: 2, change_pct: 66.66666 }).text).toBe('▲ 66.7%')
  })
  it('nothing before is 新增; nothing in either period is —; no change is 持平', () => {
    expect(trendOf(change(4, 0))).toEqual({ dir: 'new', text: '新增' })
    expect(trendOf(change(0, 0))).toEqual({ dir: 'none', text: '—' })
    expect(trendOf(change(7, 7))).toEqual({ dir: 'flat', text: '持平' })
    expect(trendOf(null).text).toBe('—')
    expect(trendOf(change(4, 0), { new: 'New', flat: 'Unchanged' }).text).toBe('New')
  })
})

const CASES = {
  place: '330825', level: 'county', weeks: ['2026-W06', '2026-W07'], previous_weeks: ['2026-W04', '2026-W05'],
  rows: [
    { week: '2026-W06', place: '330825001', type: 'snap', category: 'road', count: 2 },
    { week: '2026-W07', place: '330825001', type: 'snap', category: 'road', count: 1 },
    { week: '2026-W07', place: '330825002', type: 'snap', category: 'road', count: 4 },
    { week: '2026-W07', place: '330825002', type: 'letter', category: 'advice', count: 1 },
  ],
  total: change(8, 4),
  trend: {
    categories: [
      { type: 'snap', type_name: '随手拍', category: 'road', name: '道路', ...change(7, 4) },
      { type: 'letter', type_name: '村民信箱', category: 'advice', name: '建议', ...change(1, 0) },
      { type: 'snap', type_name: '随手拍', category: 'litter', name: '垃圾', ...change(0, 2) },
    ],
    places: [],
  },
  place_names: { 330825001: '东华街道', 330825002: '龙洲街道', 330825003: '湖镇镇' },
}

describe('the category × place table', () => {
  it('a row per category (the server order), a column per place with cases, sums in the last row', () => {
    const t = categoryTable(CASES)
    expect(t.places).toEqual([{ code: '330825001', name: '东华街道' }, { code: '330825002', name: '龙洲街道' }])
    expect(t.rows.map((r) => [r.name, r.cells, r.current, r.previous])).toEqual([
      ['道路', { 330825001: 3, 330825002: 4 }, 7, 4],
      ['建议', { 330825002: 1 }, 1, 0],
      ['垃圾', {}, 0, 2],
    ])
    expect(t.total).toMatchObject({ cells: { 330825001: 3, 330825002: 5 }, current: 8, previous: 4 })
    expect(categoryTable(null)).toEqual({ places: [], rows: [], total: null })
  })
  it('the weekly chart stacks a series per category with cases, a bar per week', () => {
    const o = weeklyOption(CASES, { title: 'x' })
    expect(o.xAxis.data).toEqual(['W06', 'W07'])
    expect(o.series.map((s) => [s.name, s.stack, s.data])).toEqual([
      ['随手拍·道路', 'cases', [2, 5]], ['村民信箱·建议', 'cases', [0, 1]]])
  })
})

describe('the hotspot map', () => {
  const HOT = { max: 9, points: [
    { village: '330825001001', name: '张王村', township_name: '东华街道', count: 9, lng: 119.1, lat: 29.0 },
    { village: '330825001002', name: '李家村', township_name: '东华街道', count: 0, lng: 119.2, lat: 29.1 },
  ], unplaced: [{ village: '330825002009', name: '无名村', count: 3, lng: null, lat: null }] }

  it('maps each located village to [lng, lat, count] with its name, township and a size by count', () => {
    expect(hotspotPoints(HOT.points, HOT.max)).toEqual([
      { name: '张王村', value: [119.1, 29.0, 9], township: '东华街道', symbolSize: 40 },
      { name: '李家村', value: [119.2, 29.1, 0], township: '东华街道', symbolSize: 6 },
    ])
    expect(hotspotPoints([{ name: 'x', lng: null, lat: null, count: 3 }], 3)).toEqual([])
    expect(symbolSize(1, 9)).toBe(20)
    expect(symbolSize(5, 0)).toBe(Math.round(10 + 30 * Math.sqrt(5)))
  })
  it('draws villages with cases as effect scatter, the others as dots, on lng/lat value axes (no geo)', () => {
    const o = hotspotOption(HOT, { title: 't', cases: '事项数' })
    expect(o.geo).toBeUndefined()
    expect(o.xAxis).toMatchObject({ type: 'value', min: 119.08, max: 119.22 })
    expect(o.yAxis).toMatchObject({ type: 'value', min: 28.98, max: 29.12 })
    expect(o.series[0].type).toBe('effectScatter')
    expect(o.series[0].data.map((p) => p.name)).toEqual(['张王村'])
    expect(o.series[1].type).toBe('scatter')
    expect(o.series[1].data.map((p) => p.name)).toEqual(['李家村'])
    expect(o.series[0].label.formatter({ name: '张王村' })).toBe('张王村')
  })
})

describe('words and anomalies', () => {
  it('the most frequent word is the top bar', () => {
    const o = wordsOption([{ word: '路灯', count: 9 }, { word: '垃圾', count: 4 }], { title: 't', count: 'n' })
    expect(o.yAxis.data).toEqual(['垃圾', '路灯'])
    expect(o.series[0].data).toEqual([4, 9])
  })
  it('says how far above its mean a village is', () => {
    expect(excessText({ count: 7, mean: 2 })).toBe('×3.5')
    expect(excessText({ count: 6, mean: 0 })).toBe('此前无事项')
  })
})
