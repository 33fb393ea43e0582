// 网上代办统计: what the page makes of GET /errands/stats (pure data → numbers, chart options; testable without a
// canvas). Rates come from the server (0–1, or null when nothing was decided/delivered yet): shown as 92.5%, or —.

const DASH = '—'

/** This month ('YYYY-MM') in Asia/Shanghai, whatever the computer's own time zone. */
export function thisMonth(now = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .formatToParts(now)
  const get = (type) => parts.find((p) => p.type === type).value
  return `${get('year')}-${get('month')}`
}

/** 0.925 → '92.5%'; null → '—'. */
export function rateText(rate) {
  return rate == null ? DASH : `${Math.round(rate * 1000) / 10}%`
}

/** Working days, one decimal as the server rounds them; null → '—'. */
export function daysText(days) {
  return days == null ? DASH : String(days)
}

/** A sort method for el-table: by a number, nulls (no rate yet) below every number. */
export function byNumber(prop) {
  return (a, b) => (a[prop] ?? -1) - (b[prop] ?? -1)
}

/**
 * Per township: the rows summed over their items, with the on-time rate. `townships` ([{code, name}], the place's
 * townships, in order) adds the townships without applications as zeros, so a county sees who is not using it.
 */
export function byTownship(rows, townships = []) {
  const out = new Map(townships.map((t) => [t.code, { code: t.code, name: t.name, applied: 0, decided: 0,
    within_limit: 0 }]))
  for (const r of rows || []) {
    const t = out.get(r.township) || { code: r.township, name: r.township_name || r.township, applied: 0, decided: 0,
      within_limit: 0 }
    t.applied += r.applied
    t.decided += r.decided
    t.within_limit += r.within_limit
    out.set(r.township, t)
  }
  return [...out.values()].map((t) => ({
    ...t, within_limit_rate: t.decided ? Math.round((t.within_limit / t.decided) * 1000) / 1000 : null }))
}

/** The items with the most applications (the server sends them most first). */
export function topItems(items, n = 10) {
  return (items || []).filter((i) => i.applied > 0).slice(0, n)
}

const BASE = {
  animation: false, // figures, not a show
  tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
}

/** Bars of applications per township. labels: {title, applied} */
export function appliedOption(townships, labels) {
  const names = townships.map((t) => t.name)
  return {
    ...BASE,
    aria: { enabled: true, label: { description: labels.title } },
    color: ['#5b8ff9'],
    grid: { left: 40, right: 16, top: 28, bottom: names.some((n) => n.length > 4) ? 64 : 32 },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 8 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 }, // the panel's heading names the figure
    series: [{ name: labels.applied, type: 'bar', data: townships.map((t) => t.applied), barMaxWidth: 36,
      label: { show: true, position: 'top' } }],
  }
}

/** Horizontal bars of the items with the most applications (the most on top). labels: {title, applied} */
export function topItemsOption(items, labels) {
  const shown = [...items].reverse()
  return {
    ...BASE,
    aria: { enabled: true, label: { description: labels.title } },
    color: ['#3aa76d'],
    grid: { left: 8, right: 32, top: 16, bottom: 24, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: shown.map((i) => i.item_name), axisLabel: { width: 160, overflow: 'truncate' } },
    series: [{ name: labels.applied, type: 'bar', data: shown.map((i) => i.applied), barMaxWidth: 24,
      label: { show: true, position: 'right' } }],
  }
}

/** Bars of the share decided within the legal time limit per township, in percent ('-': nothing decided yet).
 * labels: {title, rate} */
export function onTimeOption(townships, labels) {
  const names = townships.map((t) => t.name)
  return {
    ...BASE,
    aria: { enabled: true, label: { description: labels.title } },
    color: ['#e6a23c'],
    grid: { left: 48, right: 16, top: 28, bottom: names.some((n) => n.length > 4) ? 64 : 32 },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 8 ? 30 : 0 } },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [{
      name: labels.rate, type: 'bar', barMaxWidth: 36,
      data: townships.map((t) => (t.within_limit_rate == null ? '-' : Math.round(t.within_limit_rate * 1000) / 10)),
      label: { show: true, position: 'top', formatter: '{c}%' },
      tooltip: { valueFormatter: (v) => (v === '-' || v == null ? DASH : `${v}%`) },
    }],
  }
}
