// Pure helpers of the daily report screens: today's date in Asia/Shanghai, the figures of a completion, the rows of
// the children table and the ECharts option of the trend (data → option, testable without a canvas).
import { levelOf } from '@shared/placeCodes.js'

/** 'YYYY-MM-DD' of `now` in Asia/Shanghai (the county's day, whatever the desk computer's time zone). */
export function todayInShanghai(now = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit',
    day: '2-digit' }).formatToParts(now)
  const get = (type) => parts.find((p) => p.type === type).value
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** Percent with one decimal, as a number (0.3333 → 33.3). */
export function pct(rate) {
  return Math.round((rate || 0) * 1000) / 10
}

/** The summary cards, in the order they are shown: [key, i18n key, kind]. */
export const FIGURES = [
  ['expected', 'reports.expected', 'count'],
  ['reported', 'reports.reported', 'count'],
  ['rate', 'reports.rate', 'rate'],
  ['on_time_rate', 'reports.onTimeRate', 'rate'],
  ['proxy', 'reports.proxy', 'count'],
  ['green', 'reports.green', 'colour'],
  ['yellow', 'reports.yellow', 'colour'],
  ['red', 'reports.red', 'colour'],
  ['outside_households', 'reports.outsideHouseholds', 'count'],
  ['outside_persons', 'reports.outsidePersons', 'count'],
]

/** Children of a completion report as table rows: name (falls back to the code) and level (from the code). */
export function completionRows(children) {
  return (children || []).map((c) => ({ ...c, code: c.place, name: c.name || c.place, level: levelOf(c.place) }))
}

/** Could the table drill into this row (down to a grid, which shows its unreported households)? */
export function canDrill(row) {
  return Boolean(row && row.level)
}

/**
 * The trend of a place: health-code colours per day as stacked bars (persons), and the completion and on-time rates
 * as lines on a second (percent) axis.
 * days: [Completion] oldest first; labels: {green, yellow, red, rate, onTime, persons, title}
 */
export function trendOption(days, labels) {
  const dates = (days || []).map((d) => d.date.slice(5)) // MM-DD
  const bar = (key, name, color) => ({
    name, type: 'bar', stack: 'colours', data: days.map((d) => d[key] || 0), itemStyle: { color }, barMaxWidth: 18,
  })
  return {
    animation: false,
    aria: { enabled: true, label: { description: labels.title } },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { data: [labels.rate, labels.onTime, labels.green, labels.yellow, labels.red], top: 0 },
    grid: { left: 56, right: 56, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: dates, axisLabel: { interval: dates.length > 15 ? 'auto' : 0 } },
    yAxis: [
      { type: 'value', name: labels.persons, minInterval: 1 },
      { type: 'value', name: labels.rate, min: 0, max: 100, axisLabel: { formatter: '{value}%' },
        splitLine: { show: false } },
    ],
    series: [
      bar('green', labels.green, '#2e7d32'),
      bar('yellow', labels.yellow, '#e0a800'),
      bar('red', labels.red, '#c62828'),
      { name: labels.rate, type: 'line', yAxisIndex: 1, data: days.map((d) => pct(d.rate)), itemStyle: {
        color: '#1d5fb4' }, lineStyle: { width: 3 }, symbolSize: 6, tooltip: { valueFormatter: (v) => `${v}%` } },
      { name: labels.onTime, type: 'line', yAxisIndex: 1, data: days.map((d) => pct(d.on_time_rate)),
        itemStyle: { color: '#7b4fb0' }, lineStyle: { type: 'dashed' }, symbolSize: 4,
        tooltip: { valueFormatter: (v) => `${v}%` } },
    ],
  }
}
