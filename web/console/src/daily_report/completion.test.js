import { describe, expect, it } from 'vitest'
import { FIGURES, canDrill, completionRows, pct, todayInShanghai, trendOption } from './completion.js'

const day = (date, o = {}) => ({ place: '330825001201', date, expected: 172, reported: 0, rate: 0, on_time: 0,
  on_time_rate: 0, proxy: 0, green: 0, yellow: 0, red: 0, alert_households: 0, outside_households: 0,
  outside_persons: 0, ...o })

describe('todayInShanghai', () => {
  it('is the date in Asia/Shanghai, not the computer’s', () => {
    expect(todayInShanghai(new Date('2020-06-14T16:30:00Z'))).toBe('2020-06-15') // 00:30 in Longyou
    expect(todayInShanghai(new Date('2020-06-15T15:59:00Z'))).toBe('2020-06-15') // 23:59
  })
})

describe('completion rows', () => {
  it('take the level from the code and fall back to the code for the name', () => {
    const rows = completionRows([day('2020-06-15', { place: '330825001201', name: '张王村' }),
      day('2020-06-15', { place: '330825001201G01', name: null })])
    expect(rows.map((r) => [r.code, r.name, r.level])).toEqual([['330825001201', '张王村', 'village'],
      ['330825001201G01', '330825001201G01', 'grid']])
    expect(rows.map(canDrill)).toEqual([true, true]) // a grid opens its unreported households
    expect(canDrill({ code: 'x', level: null })).toBe(false)
  })
  it('show every figure the brief asks for', () => {
    expect(FIGURES.map(([k]) => k)).toEqual(['expected', 'reported', 'rate', 'on_time_rate', 'proxy', 'green',
      'yellow', 'red', 'outside_households', 'outside_persons'])
  })
})

describe('trend chart option', () => {
  const labels = { green: '绿码', yellow: '黄码', red: '红码', rate: '完成率', onTime: '按时率', persons: '人数',
    title: '张王村 近 30 天' }
  const days = [day('2020-06-14'), day('2020-06-15', { reported: 172, rate: 1, on_time: 170, on_time_rate: 0.9884,
    green: 515, red: 1 })]

  it('stacks the colours as bars and draws the rates as percent lines on the second axis', () => {
    const o = trendOption(days, labels)
    expect(o.xAxis.data).toEqual(['06-14', '06-15'])
    const [g, y, r, rate, onTime] = o.series
    expect([g, y, r].map((s) => [s.type, s.stack, s.name])).toEqual([['bar', 'colours', '绿码'],
      ['bar', 'colours', '黄码'], ['bar', 'colours', '红码']])
    expect(g.data).toEqual([0, 515])
    expect(r.data).toEqual([0, 1])
    expect(rate).toMatchObject({ type: 'line', yAxisIndex: 1, data: [0, 100] })
    expect(onTime).toMatchObject({ type: 'line', yAxisIndex: 1, data: [0, 98.8] })
    expect(o.yAxis[1]).toMatchObject({ min: 0, max: 100 })
    expect(o.aria).toEqual({ enabled: true, label: { description: '张王村 近 30 天' } })
  })
  it('rounds percent to one decimal', () => {
    expect(pct(0.33333)).toBe(33.3)
    expect(pct(undefined)).toBe(0)
  })
})
