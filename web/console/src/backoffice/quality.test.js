import { describe, expect, it } from 'vitest'
import { i18n } from '../i18n/index.js'
import {
  columnGroups, countText, currentQuarter, hoursText, lastFullMonth, parsePeriod, periodText,
  qualityChartOption, qualityColumns, quarterOf, rateText, recentQuarters, tableRows, thisMonth, withinSlaRate,
} from './quality.js'

const t = i18n.global.t

const cases = (over = {}) => ({ filed: 0, responded: 0, resolved: 0, avg_response_h: null, avg_resolution_h: null,
  within_sla_rate: null, response_within_sla_rate: null, ...over })
const row = (township, name, over = {}) => ({
  township, name, households: 10, linked: 5, coverage: 0.5, days: 6, expected: 60, reported: 45, on_time: 30,
  report_rate: 0.75, on_time_rate: 0.5,
  cases: { snap: cases(), letter: cases({ filed: 2, responded: 2, resolved: 2, avg_response_h: 1.5,
    avg_resolution_h: 20.25, within_sla_rate: 0.5 }) },
  party: { deeds: 1, study: 2, volunteer: 0, points: 25, members: 2, index: 12.5 }, ...over })
const DATA = {
  period: '2026-11', kind: 'month', start: '2026-11-01', end: '2026-11-30',
  case_types: [{ id: 'snap', name: '随手拍' }, { id: 'letter', name: '村民信箱' }],
  rows: [row('330825001', '东华街道'), row('330825002', '龙洲街道', { households: 0, linked: 0, coverage: 0,
    expected: 0, reported: 0, on_time: 0, report_rate: 0, on_time_rate: 0 })],
  county: row('330825', '龙游县', { households: 10 }),
}

describe('periods (Asia/Shanghai)', () => {
  it('the last full month is the month before this one, in Shanghai', () => {
    // 2026-12-01 01:00 in Shanghai is still 30 November in UTC
    const now = new Date('2026-11-30T17:00:00Z')
    expect(thisMonth(now)).toBe('2026-12')
    expect(lastFullMonth(now)).toBe('2026-11')
    expect(lastFullMonth(new Date('2027-01-10T04:00:00Z'))).toBe('2026-12')
  })
  it('quarters: of a month, the current one, the recent ones newest first across a year', () => {
    expect(quarterOf('2026-01')).toBe('2026-Q1')
    expect(quarterOf('2026-12')).toBe('2026-Q4')
    expect(currentQuarter(new Date('2026-03-31T16:30:00Z'))).toBe('2026-Q2') // 1 April in Shanghai
    expect(recentQuarters(new Date('2026-05-01T00:00:00Z'), 4)).toEqual(['2026-Q2', '2026-Q1', '2025-Q4', '2025-Q3'])
  })
  it('periods read and said', () => {
    expect(parsePeriod('2026-11')).toEqual({ kind: 'month', y: 2026, m: 11 })
    expect(parsePeriod('2026-Q4')).toEqual({ kind: 'quarter', y: 2026, q: 4 })
    expect(parsePeriod('2026-13')).toBeNull()
    expect(periodText('2026-03', t)).toBe('2026年3月')
    expect(periodText('2026-Q4', t)).toBe('2026年第4季度')
  })
})

describe('numbers as text', () => {
  it('rates as percent, nothing to divide as —', () => {
    expect(rateText(0.925)).toBe('92.5%')
    expect(rateText(1)).toBe('100%')
    expect(rateText(0)).toBe('0%')
    expect(rateText(null)).toBe('—')
    expect(hoursText(20.3)).toBe('20.3')
    expect(hoursText(null)).toBe('—')
    expect(countText(0)).toBe('0')
  })
  it('the within-SLA rate over every case type weighs each by what it resolved', () => {
    expect(withinSlaRate({ cases: { a: cases({ resolved: 3, within_sla_rate: 1 }),
      b: cases({ resolved: 1, within_sla_rate: 0 }), c: cases() } })).toBe(0.75)
    expect(withinSlaRate({ cases: { a: cases({ filed: 3 }) } })).toBeNull()
  })
})

describe('the table', () => {
  const cols = qualityColumns(DATA.case_types, t)
  it('townships in order, then the totals row', () => {
    const rows = tableRows(DATA)
    expect(rows.map((r) => [r.name, r.total])).toEqual([['东华街道', false], ['龙洲街道', false], ['龙游县', true]])
    expect(tableRows(null)).toEqual([])
  })
  it('columns per group: households, daily reports, each case type, party', () => {
    expect(columnGroups(cols).map((g) => [g.group, g.columns.length])).toEqual([
      ['住户', 3], ['每日上报', 2], ['随手拍', 5], ['村民信箱', 5], ['党员', 5]])
    expect(cols.map((c) => c.label).slice(0, 5)).toEqual(['登记户数', '关联户数', '覆盖率', '日报完成率', '按时上报率'])
  })
  it('cells: rates in percent, hours as the server rounds them, — where nothing is to divide', () => {
    const cell = (r, key) => cols.find((c) => c.key === key).text(r)
    const [one, two] = DATA.rows
    expect(cell(one, 'coverage')).toBe('50%')
    expect(cell(one, 'report_rate')).toBe('75%')
    expect(cell(one, 'letter.avg_resolution_h')).toBe('20.25')
    expect(cell(one, 'letter.within_sla_rate')).toBe('50%')
    expect(cell(one, 'snap.within_sla_rate')).toBe('—')
    expect(cell(one, 'snap.avg_response_h')).toBe('—')
    expect(cell(one, 'party.index')).toBe('12.5')
    // no households: no coverage and no report rate to speak of (the server sends 0)
    expect(cell(two, 'coverage')).toBe('—')
    expect(cell(two, 'report_rate')).toBe('—')
    // a case type the server did not send counts nothing
    expect(cell({ ...one, cases: {} }, 'snap.filed')).toBe('0')
  })
})

describe('the chart', () => {
  it('two bars per township: report completion and within-SLA rate, in percent (- for none)', () => {
    const o = qualityChartOption(DATA.rows, { title: 'x', reportRate: '日报完成率', withinSla: '时限内办结率' })
    expect(o.xAxis.data).toEqual(['东华街道', '龙洲街道'])
    expect(o.series.map((s) => s.name)).toEqual(['日报完成率', '时限内办结率'])
    expect(o.series[0].data).toEqual([75, '-'])
    expect(o.series[1].data).toEqual([50, 50])
    expect(o.yAxis.max).toBe(100)
  })
})
