// Scan-to-pass routes the console uses (chalicelib/passes/api.py).
import { api } from '@shared/api.js'

/** GET /passes/scans → {items: [{id, at, result, reasons, holder, village, colour}], next_cursor}, newest first */
export function listScans(checkpoint, date, { cursor = null, limit = 20 } = {}) {
  const qs = new URLSearchParams({ checkpoint, limit: String(limit) })
  if (date) qs.set('date', date)
  if (cursor) qs.set('cursor', cursor)
  return api.get(`/passes/scans?${qs}`)
}
