// 通知公告 on the phone: the requests and small helpers of the list, the detail and the read receipts.
import { api } from '@shared/api.js'
import { placesOf } from '@shared/permissions.js'
import { isGrid } from '@shared/placeCodes.js'

export const loadNotice = (id) => api.get(`/notices/${encodeURIComponent(id)}`)

export const loadReceipts = (id, place) =>
  api.get(`/notices/${encodeURIComponent(id)}/receipts?${new URLSearchParams({ place })}`)

export const listPath = (cursor) => `/notices?${new URLSearchParams({ limit: '20', ...(cursor ? { cursor } : {}) })}`

/** The grids where I may read a notice's receipts (a grid worker's own grids). */
export const receiptGrids = (me) => placesOf(me, 'notices.receipts').filter(isGrid)

export const isImage = (a) => typeof a?.content_type === 'string' && a.content_type.startsWith('image/')

/** "3/5" households read, or "3" when the total is unknown (a notice to some roles). */
export function readOf(r) {
  return r.total == null ? String(r.read) : `${r.read}/${r.total}`
}

export function ratio(r) {
  return r.total ? Math.min(100, Math.round((r.read / r.total) * 100)) : 0
}
