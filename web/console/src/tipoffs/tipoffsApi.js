// The tip-offs' routes (chalicelib/tipoffs/api.py).
import { api } from '@shared/api.js'

/** GET /tipoffs → {items: [Tipoff], next_cursor}, newest first; no village: the whole county (county roles). */
export function listTipoffs({ village = '', status = '', cursor = null, limit = 20 } = {}) {
  const qs = new URLSearchParams({ limit: String(limit) })
  if (village) qs.set('village', village)
  if (status) qs.set('status', status)
  if (cursor) qs.set('cursor', cursor)
  return api.get(`/tipoffs?${qs}`)
}

export function getTipoff(id) {
  return api.get(`/tipoffs/${encodeURIComponent(id)}`)
}

/** PUT /tipoffs/{id} {status: handling|closed, disposition (to close), note} → Tipoff */
export function handleTipoff(id, body) {
  return api.put(`/tipoffs/${encodeURIComponent(id)}`, body)
}

/** GET /tipoffs/stats → {place, weeks: ['2020-W24', …], rows: [{week, village, village_name, category, count}]} */
export function tipoffStats(place, weeks = 8) {
  return api.get(`/tipoffs/stats?${new URLSearchParams({ place, weeks: String(weeks) })}`)
}
