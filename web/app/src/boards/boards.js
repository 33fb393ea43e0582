// 红黑榜 on the phone: the county's criteria, the weighted total (Σ weight × score / max_score, one decimal, as the
// server computes it), checks before sending a score, photo uploads (POST /boards/uploads, then the presigned S3
// form), the village of the person, and the months a board may be asked for (Asia/Shanghai).
import { api } from '@shared/api.js'
import { uploadPhotoTo } from '@shared/s3form.js'
import { levelOf } from '@shared/placeCodes.js'
import { placesOf } from '@shared/permissions.js'

export const MIN_PHOTOS = 1
export const MAX_PHOTOS = 4
export const MAX_NOTE = 200
export const MIN_REASON = 2
export const MAX_REASON = 300

const length = (s) => [...String(s ?? '')].length

export const loadCriteria = () => api.get('/boards/criteria')

/** The weighted total out of 100 for `scores` ({key: n}) on `criteria`; null until every criterion is scored. */
export function weightedTotal(criteria, scores) {
  if (!criteria?.length) return null
  let sum = 0
  for (const c of criteria) {
    const s = scores?.[c.key]
    if (!Number.isInteger(s)) return null
    sum += (c.weight * s) / c.max_score
  }
  return Math.round(sum * 10) / 10
}

/** A total as shown: 78 → "78.0". */
export const totalText = (n) => (n == null ? '—' : Number(n).toFixed(1))

/** What is wrong before sending, as {field: i18n key} with the server's field names ("scores.courtyard", "photos"). */
export function scoreProblems(criteria, form) {
  const out = {}
  for (const c of criteria) {
    const s = form.scores[c.key]
    if (!Number.isInteger(s)) out[`scores.${c.key}`] = 'boards.scoreRequired'
    else if (s < 0 || s > c.max_score) out[`scores.${c.key}`] = 'boards.outOfRange'
  }
  if (form.photos.length < MIN_PHOTOS) out.photos = 'boards.photoRequired'
  else if (form.photos.length > MAX_PHOTOS) out.photos = 'boards.tooManyPhotos'
  if (length(form.note.trim()) > MAX_NOTE) out.note = 'boards.noteTooLong'
  return out
}

/** A 422's field names onto the form's: every "photos.N" goes under the photos. */
export function formFieldOf(field) {
  return /^photos\.\d+$/.test(field) ? 'photos' : field
}

/** Upload one photo (a Blob); resolves with its key. */
export function uploadBoardPhoto(blob, contentType = 'image/jpeg', { fetchImpl, tooLarge = '照片超过300KB' } = {}) {
  return uploadPhotoTo('/boards/uploads', { content_type: contentType }, blob, { fetchImpl, messages: { tooLarge } })
}

/** The body of POST /boards/inspections for the form (photos already uploaded: each has its key). */
export function inspectionBody(hid, criteria, form) {
  const body = {
    household: hid,
    scores: Object.fromEntries(criteria.map((c) => [c.key, form.scores[c.key]])),
    photos: form.photos.map((p) => p.key),
  }
  const note = form.note.trim()
  if (note) body.note = note
  return body
}

/**
 * Send the score: every photo without a key is uploaded first (its key kept on the photo, so a retry uploads it
 * only once), then POST /boards/inspections with the key keyFor(body) gives (the same body: the same key).
 */
export async function sendInspection(hid, criteria, form, keyFor, upload = uploadBoardPhoto) {
  for (const p of form.photos) if (!p.key) p.key = await upload(p.blob, p.blob?.type || 'image/jpeg')
  const body = inspectionBody(hid, criteria, form)
  return api.post('/boards/inspections', body, { idempotencyKey: keyFor(body) })
}

/** The month in Asia/Shanghai of `date`, "YYYY-MM". */
export function monthOf(date = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .formatToParts(date)
  const get = (type) => parts.find((p) => p.type === type).value
  return `${get('year')}-${get('month')}`
}

/** This month and the `n - 1` before it, newest first. */
export function recentMonths(n = 12, now = new Date()) {
  const [y, m] = monthOf(now).split('-').map(Number)
  return Array.from({ length: n }, (_, i) => {
    const k = y * 12 + (m - 1) - i
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`
  })
}

/** The villages whose board this person reads: their households' villages (the grants' places are grids), then the
 * villages of their staff places for the module. */
export function myVillages(me) {
  const out = []
  const add = (code) => {
    const v = String(code ?? '').slice(0, 12)
    if (/^\d{12}$/.test(v) && !out.includes(v)) out.push(v)
  }
  for (const g of me?.grants ?? []) if (g.household) add(g.place)
  for (const p of [...placesOf(me, 'boards.inspect'), ...placesOf(me, 'boards.approve')]) {
    if (['village', 'grid'].includes(levelOf(p))) add(p)
  }
  return out
}

export const loadBoard = (village, month) =>
  api.get(`/boards/villages/${encodeURIComponent(village)}/${encodeURIComponent(month)}`)

export const loadHistory = (hid, cursor = null) =>
  api.get(`/boards/households/${encodeURIComponent(hid)}/history?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)

export const appeal = (iid, reason, key) =>
  api.post(`/boards/inspections/${encodeURIComponent(iid)}/appeal`, { reason }, { idempotencyKey: key })

/** Is a reason for an appeal acceptable? an i18n key when not. */
export function reasonProblem(reason) {
  const n = length(String(reason ?? '').trim())
  if (n < MIN_REASON) return 'boards.reasonShort'
  if (n > MAX_REASON) return 'boards.reasonLong'
  return null
}
