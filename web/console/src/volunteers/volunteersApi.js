// 紧急招募令's console routes (chalicelib/volunteers/api.py): the calls of a place, posting / editing / cancelling one,
// its roster (phones masked unless revealed), the roster workbook, check-ins and service hours.
import { api } from '@shared/api.js'

const e = encodeURIComponent

/** GET /volunteers/calls?place → {items: CallSummary[] (latest ending first), next_cursor}. */
export const listCalls = (place, cursor = null) =>
  api.get(`/volunteers/calls?place=${e(place)}&limit=20${cursor ? `&cursor=${e(cursor)}` : ''}`)

/** GET /volunteers/calls/{id} → Call (with version, can_manage). */
export const getCall = (id) => api.get(`/volunteers/calls/${e(id)}`)

/** POST /volunteers/calls (Idempotency-Key) → Call. */
export const postCall = (body, idempotencyKey) => api.post('/volunteers/calls', body, { idempotencyKey })

/** PUT /volunteers/calls/{id} {…CallIn, version} → Call (409 version_conflict / call_closed). */
export const updateCall = (id, body) => api.put(`/volunteers/calls/${e(id)}`, body)

/** POST /volunteers/calls/{id}/cancel → Call (status cancelled). */
export const cancelCall = (id) => api.post(`/volunteers/calls/${e(id)}/cancel`)

/** GET /volunteers/calls/{id}/roster?reveal → {call, title, slots, confirmed: Row[], waiting: Row[], revealed}. */
export const getRoster = (id, reveal = false) => api.get(`/volunteers/calls/${e(id)}/roster?reveal=${reveal ? 'true' : 'false'}`)

/** GET /volunteers/calls/{id}/roster.xlsx → {url (presigned, 10 minutes), filename}. */
export const exportRoster = (id) => api.get(`/volunteers/calls/${e(id)}/roster.xlsx`)

/** POST /volunteers/calls/{id}/hours {signup, hours} → Row. */
export const recordHours = (id, signup, hours) => api.post(`/volunteers/calls/${e(id)}/hours`, { signup, hours })

/** Save a workbook under its own name (web/shared/download.js). */
export { download } from '@shared/download.js'
