// 季度党建报表: the pure parts of the page and its printable view — when to stop watching a report being made, how
// its progress bar looks, and how the printable sheets' cells read.

export const POLL_MS = 1500 // the job takes seconds: every 1.5 s, one request at a time (usePolling)
export const POLL_GIVE_UP_MS = 5 * 60_000 // a report still not made after this long: stop and say so

const FINISHED = new Set(['done', 'failed'])

/** Is the report made, or given up on by the job (no more polling needed)? */
export function isFinished(report) {
  return FINISHED.has(report?.status)
}

/**
 * After a poll: 'continue' (queued, running), 'done', 'failed', or 'timeout' (watched longer than `giveUpMs`).
 * `since`: when watching began (ms), `now`: the time now (ms).
 */
export function pollVerdict(report, since, now, giveUpMs = POLL_GIVE_UP_MS) {
  if (report?.status === 'done') return 'done'
  if (report?.status === 'failed') return 'failed'
  if (now - since >= giveUpMs) return 'timeout'
  return 'continue'
}

/** The progress bar: {percentage (0..100, 100 when done), status ('' | 'success' | 'exception')}. */
export function progressOf(report) {
  if (!report) return { percentage: 0, status: '' }
  if (report.status === 'done') return { percentage: 100, status: 'success' }
  const percentage = Math.max(0, Math.min(100, Math.round(report.progress || 0)))
  return { percentage, status: report.status === 'failed' ? 'exception' : '' }
}

/** An element-plus tag type for a status. */
export function statusType(status) {
  return { done: 'success', failed: 'danger', running: 'primary', queued: 'info' }[status] || 'info'
}

/** Put a report (just made, or polled) into the list, newest first: replaces the one of the same id. */
export function upsertReport(list, report) {
  const i = list.findIndex((r) => r.id === report.id)
  if (i >= 0) return list.map((r, j) => (j === i ? { ...r, ...report } : r))
  return [report, ...list]
}

/** The report to keep watching when the page opens: the newest still queued or running (null when none). */
export function unfinished(list) {
  return (list || []).find((r) => !isFinished(r)) || null
}

// Columns printed with one decimal as the workbook formats them (JSON gives 10.0 as 10).
const ONE_DECIMAL = new Set(['党建指数'])

/** A printed cell: a '%' column's fraction with one decimal (0.5 → 50.0%), 党建指数 with one decimal, other numbers
 * as they are, null as empty. */
export function cellText(value, unit, header = '') {
  if (value == null || value === '') return ''
  if (unit === '%' && typeof value === 'number') return `${(Math.round(value * 1000) / 10).toFixed(1)}%`
  if (ONE_DECIMAL.has(header) && typeof value === 'number') return value.toFixed(1)
  return String(value)
}

/** A header with its unit: 登记户数（户）; rates and plain columns as they are. */
export function headerText(header, unit) {
  return unit && unit !== '%' ? `${header}（${unit}）` : header
}

/** Is a column numeric (right-aligned)? Every column with a unit. */
export function isNumeric(unit) {
  return unit != null
}
