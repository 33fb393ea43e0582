// The daily report's routes (chalicelib/daily_report/api.py): completion, trend, unreported, settings, alerts.
import { api } from '@shared/api.js'

/** GET /reports/completion → {place: Completion, children: [Completion]} */
export function getCompletion(place, date) {
  const qs = new URLSearchParams({ place, children: 'true' })
  if (date) qs.set('date', date)
  return api.get(`/reports/completion?${qs}`)
}

/** GET /reports/trend → {place, days: [Completion]} oldest first */
export function getTrend(place, days = 30) {
  return api.get(`/reports/trend?${new URLSearchParams({ place, days: String(days) })}`)
}

/**
 * GET /reports/unreported?contacts=true → {date, grid, grid_name, phones_masked, items: [{id, ref, head_name, address,
 * head_phone, member_count, last_report_date}], next_cursor}: today's unreported households of a grid with their
 * contacts (the phone masked unless the role may see it).
 */
export function getUnreported(grid, { cursor = null, limit = 50 } = {}) {
  const qs = new URLSearchParams({ grid, contacts: 'true', limit: String(limit) })
  if (cursor) qs.set('cursor', cursor)
  return api.get(`/reports/unreported?${qs}`)
}

export function getSettings() {
  return api.get('/reports/settings')
}

export function putSettings(body) {
  return api.put('/reports/settings', body)
}

/** GET /alerts → {items: [Alert], next_cursor}, newest first */
export function listAlerts(status, { cursor = null, limit = 20 } = {}) {
  const qs = new URLSearchParams({ status, limit: String(limit) })
  if (cursor) qs.set('cursor', cursor)
  return api.get(`/alerts?${qs}`)
}

export function ackAlert(id) {
  return api.post(`/alerts/${encodeURIComponent(id)}/ack`)
}

export function closeAlert(id, note) {
  return api.post(`/alerts/${encodeURIComponent(id)}/close`, { note })
}
