// 使用质量: what the page makes of GET /backoffice/quality (pure: periods, numbers as text, the chart's option; the
// workbook is the server's, chalicelib/backoffice/export.py, with the same columns). Rates come from the server as
// fractions (0..1), null when there is nothing to divide: 92.5%, or —.

export const DASH = '—'

function shanghaiParts(now) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .formatToParts(now)
  const get = (type) => Number(parts.find((p) => p.type === type).value)
  return { year: get('year'), month: get('month') }
}

const pad = (n) => String(n).padStart(2, '0')

/** This month in Asia/Shanghai ('YYYY-MM'), whatever the computer's own time zone. */
export function thisMonth(now = new Date()) {
  const { year, month } = shanghaiParts(now)
  return `${year}-${pad(month)}`
}

/** The last full month (Asia/Shanghai): the page's default period. */
export function lastFullMonth(now = new Date()) {
  const { year, month } = shanghaiParts(now)
  return month === 1 ? `${year - 1}-12` : `${year}-${pad(month - 1)}`
}

/** '2026-11' → '2026-Q4' */
export function quarterOf(month) {
  const [y, m] = month.split('-').map(Number)
  return `${y}-Q${Math.floor((m - 1) / 3) + 1}`
}

/** The quarter under way (Asia/Shanghai). */
export function currentQuarter(now = new Date()) {
  return quarterOf(thisMonth(now))
}

/** The last `n` quarters, the current one first (a quarter not yet begun cannot be asked for). */
export function recentQuarters(now = new Date(), n = 8) {
  let [y, q] = currentQuarter(now).split('-Q').map(Number)
  const out = []
  for (let i = 0; i < n; i++) {
    out.push(`${y}-Q${q}`)
    q -= 1
    if (q === 0) {
      q = 4
      y -= 1
    }
  }
  return out
}

/** '2026-11' → {kind: 'month', y: 2026, m: 11}; '2026-Q4' → {kind: 'quarter', y: 2026, q: 4}; else null. */
export function parsePeriod(period) {
  const found = /^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$/.exec(period || '')
  if (!found) return null
  const y = Number(found[1])
  return found[2] ? { kind: 'month', y, m: Number(found[2]) } : { kind: 'quarter', y, q: Number(found[3]) }
}

/** The period in words: t('backoffice.monthOf', {y, m}) or t('backoffice.quarterOf', {y, q}). */
export function periodText(period, t) {
  const p = parsePeriod(period)
  if (!p) return period || ''
  return p.kind === 'month' ? t('backoffice.monthOf', { y: p.y, m: p.m }) : t('backoffice.quarterOf', { y: p.y, q: p.q })
}

/** 0.925 → '92.5%'; null → '—'. */
export function rateText(rate) {
  return rate == null ? DASH : `${Math.round(rate * 1000) / 10}%`
}

/** Hours (one decimal, as the server rounds them); null → '—'. */
export function hoursText(hours) {
  return hours == null ? DASH : String(hours)
}

/** A count; null → '—'. */
export function countText(n) {
  return n == null ? DASH : String(n)
}

/** The share of the resolved cases of every type resolved within their SLA (null when none was resolved): the
 * per-type rates weighted by what each type resolved. */
export function withinSlaRate(row) {
  let resolved = 0
  let within = 0
  for (const c of Object.values(row?.cases || {})) {
    if (!c.resolved) continue
    resolved += c.resolved
    within += Math.round((c.within_sla_rate ?? 0) * c.resolved)
  }
  return resolved ? Math.round((within / resolved) * 10000) / 10000 : null
}

/** The table's rows: the townships in the server's (code) order, then the totals row marked `total`. */
export function tableRows(data) {
  if (!data) return []
  const rows = (data.rows || []).map((r) => ({ ...r, total: false }))
  if (data.county) rows.push({ ...data.county, total: true })
  return rows
}

/**
 * The columns, each {key, label, text(row) → string, group}: households, daily reporting, each case type of
 * `caseTypes` ([{id, name}]), party activity. `t` names them (backoffice.col.*).
 */
export function qualityColumns(caseTypes, t) {
  const cols = [
    { key: 'households', group: t('backoffice.group.households'), label: t('backoffice.col.households'),
      text: (r) => countText(r.households) },
    { key: 'linked', group: t('backoffice.group.households'), label: t('backoffice.col.linked'),
      text: (r) => countText(r.linked) },
    { key: 'coverage', group: t('backoffice.group.households'), label: t('backoffice.col.coverage'),
      text: (r) => rateText(r.households ? r.coverage : null) },
    { key: 'report_rate', group: t('backoffice.group.reports'), label: t('backoffice.col.reportRate'),
      text: (r) => rateText(r.expected ? r.report_rate : null) },
    { key: 'on_time_rate', group: t('backoffice.group.reports'), label: t('backoffice.col.onTimeRate'),
      text: (r) => rateText(r.expected ? r.on_time_rate : null) },
  ]
  for (const ct of caseTypes || []) {
    const c = (r) => r.cases?.[ct.id] || {}
    cols.push(
      { key: `${ct.id}.filed`, group: ct.name, label: t('backoffice.col.filed'), text: (r) => countText(c(r).filed ?? 0) },
      { key: `${ct.id}.resolved`, group: ct.name, label: t('backoffice.col.resolved'),
        text: (r) => countText(c(r).resolved ?? 0) },
      { key: `${ct.id}.avg_response_h`, group: ct.name, label: t('backoffice.col.avgResponse'),
        text: (r) => hoursText(c(r).avg_response_h) },
      { key: `${ct.id}.avg_resolution_h`, group: ct.name, label: t('backoffice.col.avgResolution'),
        text: (r) => hoursText(c(r).avg_resolution_h) },
      { key: `${ct.id}.within_sla_rate`, group: ct.name, label: t('backoffice.col.withinSla'),
        text: (r) => rateText(c(r).within_sla_rate) },
    )
  }
  const party = t('backoffice.group.party')
  cols.push(
    { key: 'party.deeds', group: party, label: t('backoffice.col.deeds'), text: (r) => countText(r.party?.deeds) },
    { key: 'party.study', group: party, label: t('backoffice.col.study'), text: (r) => countText(r.party?.study) },
    { key: 'party.volunteer', group: party, label: t('backoffice.col.volunteer'),
      text: (r) => countText(r.party?.volunteer) },
    { key: 'party.points', group: party, label: t('backoffice.col.points'), text: (r) => countText(r.party?.points) },
    { key: 'party.index', group: party, label: t('backoffice.col.index'),
      text: (r) => (r.party?.index == null ? DASH : String(r.party.index)) },
  )
  return cols
}

/** Consecutive columns of the same group, for two-level headers: [{group, columns}]. */
export function columnGroups(columns) {
  const out = []
  for (const c of columns) {
    const last = out[out.length - 1]
    if (last && last.group === c.group) last.columns.push(c)
    else out.push({ group: c.group, columns: [c] })
  }
  return out
}

const pctOf = (rate) => (rate == null ? '-' : Math.round(rate * 1000) / 10)

/** Bars per township: the daily report's completion and the cases' within-SLA rate, in percent ('-': none).
 * labels: {title, reportRate, withinSla} */
export function qualityChartOption(rows, labels) {
  const names = rows.map((r) => r.name)
  const tilt = names.length > 6 ? 30 : 0
  return {
    animation: false,
    aria: { enabled: true, label: { description: labels.title } },
    color: ['#5b8ff9', '#e6a23c'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' },
      valueFormatter: (v) => (v === '-' || v == null ? DASH : `${v}%`) },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: tilt ? 64 : 32 },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: tilt } },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { name: labels.reportRate, type: 'bar', barMaxWidth: 28,
        data: rows.map((r) => pctOf(r.expected ? r.report_rate : null)),
        label: { show: true, position: 'top', formatter: '{c}%' } },
      { name: labels.withinSla, type: 'bar', barMaxWidth: 28, data: rows.map((r) => pctOf(withinSlaRate(r))),
        label: { show: true, position: 'top', formatter: '{c}%' } },
    ],
  }
}
