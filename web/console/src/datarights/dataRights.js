// 数据权利: the page's pure logic (when to poll an export, how long its zip is kept, sizes, counts, the retention
// form's bounds, the audit log's filters).

export const POLL_MS = 2500
export const KEEP_DAYS = 7 // the zip is deleted a week after it was made (then the export is 已过期)

/** An export still on its way (queued or running): the page polls it. */
export function underWay(exp) {
  return !!exp && (exp.status === 'queued' || exp.status === 'running')
}

/** Merge a fresher export into the list (newest first), in place of the one with its id or on top. */
export function mergeExport(list, exp) {
  const i = (list || []).findIndex((x) => x.id === exp.id)
  if (i < 0) return [exp, ...(list || [])]
  const out = [...list]
  out[i] = { ...out[i], ...exp }
  return out
}

/** When a done export's zip is deleted (ISO), or null. */
export function expiresAt(exp) {
  if (!exp?.finished_at || exp.status !== 'done') return null
  return new Date(new Date(exp.finished_at).getTime() + KEEP_DAYS * 86_400_000).toISOString()
}

/** 1536 → '1.5 KB'; null → '—'. */
export function bytesText(n) {
  if (n == null) return '—'
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB']
  let v = n / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u += 1
  }
  return `${Math.round(v * 10) / 10} ${units[u]}`
}

/** {households: {kind: n}, submissions: {kind: n}, media: n} → totals {households, submissions, media}. */
export function countsOf(counts) {
  if (!counts) return null
  const sum = (o) => (o && typeof o === 'object' ? Object.values(o).reduce((s, n) => s + (Number(n) || 0), 0) : 0)
  return { households: sum(counts.households), submissions: sum(counts.submissions), media: Number(counts.media) || 0 }
}

/** The retention form's own check before it is sent: {field: message} for a value out of its bounds. */
export function retentionErrors(form, bounds, message) {
  const out = {}
  for (const f of ['health_days', 'photo_days']) {
    const [lo, hi] = bounds?.[f] || []
    const v = form[f]
    if (!Number.isInteger(v) || (lo != null && v < lo) || (hi != null && v > hi)) out[f] = message(lo, hi)
  }
  return out
}

/** This month ('YYYY-MM') in Asia/Shanghai. */
export function thisMonth(now = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .formatToParts(now)
  const get = (type) => parts.find((p) => p.type === type).value
  return `${get('year')}-${get('month')}`
}

/** The audit query without empty filters (trimmed). */
export function auditQuery(month, filters) {
  const out = { month }
  for (const k of ['uid', 'what', 'subject']) {
    const v = (filters[k] || '').trim()
    if (v) out[k] = v
  }
  return out
}
