// 通知公告 in the console: the requests (chalicelib/notices; contract in docs/api.md "通知公告").
import { api } from '@shared/api.js'
import { postForm } from '@shared/s3form.js'

const enc = encodeURIComponent

export function sentNotices(place, cursor) {
  const qs = new URLSearchParams({ place, limit: '20' })
  if (cursor) qs.set('cursor', cursor)
  return api.get(`/notices/sent?${qs}`)
}
export const getNotice = (id) => api.get(`/notices/${enc(id)}`)
export const publishNotice = (body, idempotencyKey) => api.post('/notices', body, { idempotencyKey })
export const updateNotice = (id, body) => api.put(`/notices/${enc(id)}`, body)
export const withdrawNotice = (id) => api.post(`/notices/${enc(id)}/withdraw`)
export const noticeReceipts = (id, place) =>
  api.get(`/notices/${enc(id)}/receipts?${new URLSearchParams({ place })}`)

export const CONTENT_TYPES = ['image/jpeg', 'image/png', 'application/pdf']
export const MAX_BYTES = { 'image/jpeg': 2 * 1024 * 1024, 'image/png': 2 * 1024 * 1024, 'application/pdf': 10 * 1024 * 1024 }

/** One attachment: the upload form (POST /notices/uploads), then the file straight to S3. → {key, name, content_type} */
export async function uploadAttachment(file) {
  const name = (file.name || '').slice(0, 80)
  const form = await api.post('/notices/uploads', { content_type: file.type, ...(name ? { name } : {}) })
  await postForm(form, file, undefined, name || 'file')
  return { key: form.key, name, content_type: file.type }
}
