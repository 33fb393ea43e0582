// Pure helpers of the scan log: results and refusal reasons (chalicelib/passes/service.py), the day's counts, and
// times of day in Asia/Shanghai.

export const RESULTS = ['pass', 'stop', 'invalid']
export const REASONS = ['not_reported', 'red_code', 'yellow_code', 'member_not_in_report', 'pass_forged',
  'pass_expired', 'pass_revoked', 'pass_other_county', 'pass_code_unknown', 'pass_invalid']
export const RESULT_TAGS = { pass: 'success', stop: 'danger', invalid: 'info' }
/** How long the server keeps scan logs (SCAN_LOG_DAYS). */
export const LOG_DAYS = 30

/**
 * Count a day's scans by result, page by page (`fetchPage(cursor)` → {items, next_cursor}), at most `maxPages`
 * pages: {pass, stop, invalid, total, complete} (complete: false when the day has more than was counted).
 */
export async function dayCounts(fetchPage, maxPages = 30) {
  const out = { pass: 0, stop: 0, invalid: 0, total: 0, complete: true }
  let cursor = null
  let pages = 0
  do {
    const page = await fetchPage(cursor)
    for (const s of page.items || []) {
      if (s.result in out) out[s.result] += 1
      out.total += 1
    }
    cursor = page.next_cursor || null
    pages += 1
  } while (cursor && pages < maxPages)
  out.complete = !cursor
  return out
}

/** The labels of a scan's reasons, through `label(code)` (unknown codes as they are). */
export function reasonText(reasons, label, sep = '、') {
  return (reasons || []).map(label).join(sep)
}

/** HH:MM:SS of an ISO time in Asia/Shanghai. */
export function timeOfDay(iso) {
  if (!iso) return ''
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit',
    second: '2-digit', hourCycle: 'h23' }).format(new Date(iso))
}

/** 'YYYY-MM-DD' `days` days before the date `ymd` (calendar arithmetic, no time zone involved). */
export function daysBefore(ymd, days) {
  const d = new Date(`${ymd}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - days)
  return d.toISOString().slice(0, 10)
}
