// 问题分析: what the page makes of the /insights answers (pure data → table rows, texts and chart options; testable
// without a canvas). Counts come from the server; nothing here adds up what it did not send.

/** The weeks a person may pick (the last N ISO weeks, this one included). */
export const WEEK_CHOICES = [4, 8, 13, 26]

/**
 * The trend of a Change ({current, previous, change, change_pct}) as a person reads it:
 * {dir: 'up' | 'down' | 'flat' | 'new' | 'none', text}. A category or place without cases in the previous period is
 * 新增 (change_pct null); nothing in either period is '—'.
 */
export function trendOf(c, labels = { new: '新增', flat: '持平' }) {
  if (!c) return { dir: 'none', text: '—' }
  if (c.change_pct == null) return c.current > 0 ? { dir: 'new', text: labels.new } : { dir: 'none', text: '—' }
  if (c.change === 0) return { dir: 'flat', text: labels.flat }
  const pct = `${Math.round(Math.abs(c.change_pct) * 10) / 10}%`
  return c.change > 0 ? { dir: 'up', text: `▲ ${pct}` } : { dir: 'down', text: `▼ ${pct}` }
}

const catKey = (type, category) => `${type}/${category}`

/**
 * The category × place table: one row per category of the trend (most cases first, as the server sorts them), a
 * column per place that had cases this period (in place_names order by code), the period's total, the previous
 * period's and the trend; the last row sums each column ('合计').
 * → {places: [{code, name}], rows: [{key, type_name, name, cells: {code: n}, current, previous, change, change_pct}],
 *    total: {cells, current, previous, change, change_pct}}
 */
export function categoryTable(data) {
  if (!data) return { places: [], rows: [], total: null }
  const cells = new Map()
  const used = new Set()
  for (const r of data.rows || []) {
    const k = catKey(r.type, r.category)
    const per = cells.get(k) || {}
    per[r.place] = (per[r.place] || 0) + r.count
    cells.set(k, per)
    used.add(r.place)
  }
  const names = data.place_names || {}
  const places = [...used].sort().map((code) => ({ code, name: names[code] || code }))
  const rows = (data.trend?.categories || []).map((c) => ({
    key: catKey(c.type, c.category), type: c.type, type_name: c.type_name, category: c.category, name: c.name,
    cells: cells.get(catKey(c.type, c.category)) || {}, current: c.current, previous: c.previous, change: c.change,
    change_pct: c.change_pct,
  }))
  const sums = {}
  for (const p of places) sums[p.code] = rows.reduce((s, r) => s + (r.cells[p.code] || 0), 0)
  return { places, rows, total: { cells: sums, ...(data.total || {}) } }
}

const PALETTE = ['#5b8ff9', '#5ad8a6', '#f6bd16', '#e8684a', '#6dc8ec', '#9270ca', '#ff9d4d', '#269a99', '#ff99c3',
  '#5d7092', '#b3d36a', '#c2a15b']

/** A stacked bar per week, a series per category (type · category). labels: {title} */
export function weeklyOption(data, labels) {
  const weeks = data?.weeks || []
  const cats = data?.trend?.categories?.filter((c) => c.current > 0) || []
  const series = cats.map((c) => {
    const per = Object.fromEntries(weeks.map((w) => [w, 0]))
    for (const r of data.rows) if (r.type === c.type && r.category === c.category) per[r.week] += r.count
    return { name: `${c.type_name}·${c.name}`, type: 'bar', stack: 'cases', barMaxWidth: 36,
      data: weeks.map((w) => per[w]) }
  })
  return {
    animation: false,
    aria: { enabled: true, label: { description: labels.title } },
    color: PALETTE,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { type: 'scroll', top: 0, itemGap: 18 },
    grid: { left: 40, right: 16, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: weeks.map(weekLabel) },
    yAxis: { type: 'value', minInterval: 1 },
    series,
  }
}

/** '2026-W07' → 'W07' (the axis is short; the year is in the tooltip's week list). */
export function weekLabel(w) {
  return w.slice(5)
}

/**
 * The villages as points on plain lng/lat axes (no map tiles, no boundary data): [lng, lat, count, name, township]
 * with a size growing with the count (a village without cases is a small dot, the busiest one the largest).
 */
export function hotspotPoints(points, max) {
  const top = Math.max(1, max || 0)
  return (points || []).filter((p) => p.lng != null && p.lat != null).map((p) => ({
    name: p.name, value: [p.lng, p.lat, p.count], township: p.township_name || '',
    symbolSize: symbolSize(p.count, top),
  }))
}

/** 6 px for none, up to 40 px for the busiest village (by area). */
export function symbolSize(count, max) {
  if (!count) return 6
  return Math.round(10 + 30 * Math.sqrt(count / Math.max(1, max)))
}

/** The map: villages with cases as effect scatter (they ripple), the others as plain dots. labels: {title, cases} */
export function hotspotOption(hot, labels) {
  const pts = hotspotPoints(hot?.points, hot?.max)
  const lngs = pts.map((p) => p.value[0])
  const lats = pts.map((p) => p.value[1])
  const pad = 0.02
  const axis = (vals, name) => ({
    type: 'value', name, scale: true, splitLine: { lineStyle: { type: 'dashed', color: '#eef0f3' } },
    min: vals.length ? Math.floor((Math.min(...vals) - pad) * 100) / 100 : undefined,
    max: vals.length ? Math.ceil((Math.max(...vals) + pad) * 100) / 100 : undefined,
    axisLabel: { formatter: (v) => v.toFixed(2) },
  })
  const label = { show: true, position: 'right', formatter: (p) => p.name, fontSize: 11, color: '#3c4048' }
  const tooltip = { formatter: (p) => `${p.data.township ? `${p.data.township} · ` : ''}${p.name}<br>`
    + `${labels.cases}：${p.value[2]}` }
  return {
    animation: false,
    aria: { enabled: true, label: { description: labels.title } },
    tooltip: { trigger: 'item' },
    grid: { left: 56, right: 40, top: 24, bottom: 40 },
    xAxis: axis(lngs, '经度'),
    yAxis: axis(lats, '纬度'),
    series: [
      { name: labels.cases, type: 'effectScatter', data: pts.filter((p) => p.value[2] > 0), rippleEffect:
        { scale: 2.5, brushType: 'stroke' }, itemStyle: { color: '#e8684a' }, label, tooltip, zlevel: 1 },
      { name: labels.cases, type: 'scatter', data: pts.filter((p) => !p.value[2]), itemStyle: { color: '#a8b1c2' },
        label: { ...label, show: pts.length <= 60, color: '#8a919c' }, tooltip },
    ],
  }
}

/** Horizontal bars of the most frequent words (the most on top). labels: {title, count} */
export function wordsOption(words, labels, n = 20) {
  const shown = (words || []).slice(0, n).reverse()
  return {
    animation: false,
    aria: { enabled: true, label: { description: labels.title } },
    color: ['#9270ca'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 40, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: shown.map((w) => w.word) },
    series: [{ name: labels.count, type: 'bar', data: shown.map((w) => w.count), barMaxWidth: 18,
      label: { show: true, position: 'right' } }],
  }
}

/** How far above its usual week a village is: count ÷ mean as '×3.5', or '新出现' when it had none before. */
export function excessText(a, labels = { fresh: '此前无事项' }) {
  if (!a.mean) return labels.fresh
  return `×${Math.round((a.count / a.mean) * 10) / 10}`
}
