// The daily report's routes (chalicelib/daily_report/api.py): completion, trend, settings, alerts.
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
