// 数据权利's routes (chalicelib/datarights/api.py): the county's exports of all its data, the retention periods of
// health reports and case photos, and the audit log of privileged reads. The county admin only.
import { api } from '@shared/api.js'

const e = encodeURIComponent

/** POST /datarights/exports {} (Idempotency-Key) → export {id, status queued, progress 0, …}; 409 export_running
 * ({id} of the one under way), 429 after 3 a day. */
export const requestExport = (idempotencyKey) => api.post('/datarights/exports', {}, { idempotencyKey })

/** GET /datarights/exports → {items: [export]} newest first, without links. */
export const listExports = (limit = 20) => api.get(`/datarights/exports?limit=${limit}`)

/** GET /datarights/exports/{id} → the export; when done a fresh `url` (300 s) and `filename` (the hand-out is
 * written in the audit log). */
export const getExport = (id) => api.get(`/datarights/exports/${e(id)}`)

/** GET /datarights/retention → {health_days, photo_days, bounds, defaults, health_sweep_until, last_run, …} */
export const getRetention = () => api.get('/datarights/retention')

/** PUT /datarights/retention {health_days, photo_days} → the same; 422 out_of_range per field, 409 version_conflict */
export const putRetention = (body) => api.put('/datarights/retention', body)

/** GET /datarights/audit?month&uid&what&subject&limit&cursor → {month, items, next_cursor, kinds} */
export function auditPage({ month, uid, what, subject, cursor, limit = 50 }) {
  const q = new URLSearchParams(Object.entries({ month, uid, what, subject, cursor, limit })
    .filter(([, v]) => v != null && v !== ''))
  return api.get(`/datarights/audit?${q}`)
}
