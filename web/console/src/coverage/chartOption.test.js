import { describe, expect, it } from 'vitest'
import { coverageOption, coverageRows } from './chartOption.js'

const labels = { households: '户数', followed: '已关注户数', rate: '覆盖率', title: '东华街道 下各地点' }

describe('coverage chart option', () => {
  const rows = coverageRows(
    [{ place: '330825001201', households: 172, followed: 43, rate: 0.25 },
      { place: '330825001202', households: 10, followed: 10, rate: 1 },
      { place: '330825001203', households: 0, followed: 0, rate: 0 }],
    [{ code: '330825001201', name: '张王村', level: 'village' }, { code: '330825001202', name: '李村', level: 'village' }])

  it('joins the names of the places (falls back to the code)', () => {
    expect(rows.map((r) => r.name)).toEqual(['张王村', '李村', '330825001203'])
    expect(rows[0].level).toBe('village')
  })

  it('has bars of households and followed households per child place, and the rate in percent', () => {
    const o = coverageOption(rows, labels)
    expect(o.xAxis.data).toEqual(['张王村', '李村', '330825001203'])
    const [hh, fol, rate] = o.series
    expect(hh).toMatchObject({ type: 'bar', name: '户数', data: [172, 10, 0] })
    expect(fol).toMatchObject({ type: 'bar', name: '已关注户数', data: [43, 10, 0] })
    expect(rate).toMatchObject({ type: 'line', name: '覆盖率', yAxisIndex: 1, data: [25, 100, 0] })
    expect(o.yAxis[1]).toMatchObject({ min: 0, max: 100 })
    expect(o.legend.data).toEqual(['户数', '已关注户数', '覆盖率'])
    expect(o.aria.enabled).toBe(true)
  })

  it('rounds the rate to one decimal', () => {
    const o = coverageOption([{ code: 'x', name: 'x', households: 3, followed: 1, rate: 0.3333 }], labels)
    expect(o.series[2].data).toEqual([33.3])
  })
})
