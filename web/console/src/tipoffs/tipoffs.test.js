import { describe, expect, it } from 'vitest'
import { countyWide, freshTipoffs, statsOption, statsTables, weekStart } from './tipoffs.js'

describe('tip-off helpers', () => {
  it('freshTipoffs: only the ones not seen before, and remembers them', () => {
    const seen = new Set(['a'])
    expect(freshTipoffs([{ id: 'b' }, { id: 'a' }], seen).map((x) => x.id)).toEqual(['b'])
    expect(freshTipoffs([{ id: 'b' }], seen)).toEqual([])
  })
  it('only a grant at the county itself lists the whole county', () => {
    expect(countyWide(['330825'])).toBe(true)
    expect(countyWide(['330825001', '330825002201'])).toBe(false)
  })
  it('weekStart: the Monday of an ISO week', () => {
    expect(weekStart('2020-W25')).toBe('2020-06-15')
    expect(weekStart('2021-W01')).toBe('2021-01-04') // 2021-01-01 is in 2020-W53
    expect(weekStart('2020-W53')).toBe('2020-12-28')
    expect(weekStart('nope')).toBe('')
  })
})

describe('statistics', () => {
  const stats = { place: '330825', weeks: ['2020-W23', '2020-W24', '2020-W25'], rows: [
    { week: '2020-W24', village: '330825001201', village_name: '张王村', category: 'returnee', count: 2 },
    { week: '2020-W25', village: '330825001201', village_name: '张王村', category: 'gathering', count: 1 },
    { week: '2020-W25', village: '330825002201', village_name: '团石村', category: 'gathering', count: 4 },
    { week: '2020-W25', village: '330825002202', village_name: null, category: 'other', count: 1 },
  ] }

  it('a row per week (zeros included), a row per village (most first) and the totals', () => {
    const { weeks, villages, total } = statsTables(stats)
    expect(weeks.map((w) => [w.week, w.start, w.returnee, w.gathering, w.other, w.total])).toEqual([
      ['2020-W23', '2020-06-01', 0, 0, 0, 0], ['2020-W24', '2020-06-08', 2, 0, 0, 2],
      ['2020-W25', '2020-06-15', 0, 5, 1, 6]])
    expect(villages.map((v) => [v.name, v.returnee, v.gathering, v.other, v.total])).toEqual([
      ['团石村', 0, 4, 0, 4], ['张王村', 2, 1, 0, 3], ['330825002202', 0, 0, 1, 1]])
    expect(total).toEqual({ returnee: 2, gathering: 5, other: 1, total: 8 })
  })

  it('the chart stacks the categories per week', () => {
    const labels = { categories: { returnee: '返乡人员', gathering: '聚集活动', other: '其他风险' }, count: '条数',
      title: '龙游县 近 3 周各类举报数' }
    const o = statsOption(statsTables(stats).weeks, labels)
    expect(o.xAxis.data).toEqual(['W23', 'W24', 'W25'])
    expect(o.series.map((s) => [s.name, s.type, s.stack, s.data])).toEqual([
      ['返乡人员', 'bar', 'categories', [0, 2, 0]], ['聚集活动', 'bar', 'categories', [0, 0, 5]],
      ['其他风险', 'bar', 'categories', [0, 0, 1]]])
    expect(o.aria.label.description).toBe('龙游县 近 3 周各类举报数')
  })

  it('copes with nothing', () => {
    expect(statsTables(null)).toEqual({ weeks: [], villages: [], total: { returnee: 0, gathering: 0, other: 0,
      total: 0 } })
  })
})
