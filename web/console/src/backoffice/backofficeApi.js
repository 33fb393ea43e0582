// 县级后台's routes (chalicelib/backoffice/api.py; the contract: docs/api.md "County back office").
import { api } from '@shared/api.js'

/** GET /backoffice/quality?period=2026-11 | 2026-Q4 → {period, kind, months, start, end, scope, case_types: [{id,
 * name}], rows: [Row per township], county: Row (the totals)}. Row: {township, name, households, linked, coverage,
 * days, expected, reported, on_time, report_rate, on_time_rate, cases: {type: {filed, responded, resolved,
 * avg_response_h, avg_resolution_h, within_sla_rate, response_within_sla_rate}}, party: {deeds, study, volunteer,
 * points, members, index}}. Rates 0..1; null when there is nothing to divide. */
export function quality(period) {
  return api.get(`/backoffice/quality?${new URLSearchParams({ period })}`)
}

/** GET /backoffice/quality/export?period= → {url (the page's table as an .xlsx workbook, valid 10 minutes),
 * filename (使用质量-2026-11.xlsx)}: the same rows and totals as quality(period). */
export function exportQuality(period) {
  return api.get(`/backoffice/quality/export?${new URLSearchParams({ period })}`)
}

/** POST /backoffice/reports {quarter} → Report (queued). The same key answers the first report again. */
export function createReport(quarter, idempotencyKey) {
  return api.post('/backoffice/reports', { quarter }, { idempotencyKey })
}

/** GET /backoffice/reports?limit&cursor → {items: [Report (no url)], next_cursor}, newest first. */
export function listReports(cursor = null, limit = 20) {
  const q = new URLSearchParams({ limit: String(limit) })
  if (cursor) q.set('cursor', cursor)
  return api.get(`/backoffice/reports?${q}`)
}

/** GET /backoffice/reports/{id} → Report: {id, quarter, status, status_name, progress, message, created_at,
 * created_by_name, started_at, finished_at, url (done: the workbook, valid 5 minutes), filename}. */
export function getReport(id) {
  return api.get(`/backoffice/reports/${encodeURIComponent(id)}`)
}

/** GET /backoffice/reports/{id}/print → {id, quarter, title, made_by, made_at, period_text, sheets: [{name, title,
 * headers, units, rows, total}]}; 409 report_not_ready before it is done. */
export function printableReport(id) {
  return api.get(`/backoffice/reports/${encodeURIComponent(id)}/print`)
}
