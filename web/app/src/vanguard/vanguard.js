// 党员先锋 on the phone: the village of the person, the feed and a deed's comments, the 点赞 toggle (optimistic,
// idempotent, rolled back on error, the server's count wins), the deed form's checks and sending (photos uploaded
// once each through POST /vanguard/uploads and the presigned S3 form), periods of the 党建指数 (Asia/Shanghai).
import { api } from '@shared/api.js'
import { uploadPhotoTo } from '@shared/s3form.js'
import { levelOf } from '@shared/placeCodes.js'
import { placesOf } from '@shared/permissions.js'

export const MIN_TEXT = 5
export const MAX_TEXT = 1000
export const MIN_PHOTOS = 1
export const MAX_PHOTOS = 9
export const MAX_COMMENT = 200

const length = (s) => [...String(s ?? '')].length
const q = (params) => Object.entries(params).filter(([, v]) => v != null && v !== '')
  .map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')
const enc = encodeURIComponent

/** The village whose feed and board this person reads: their households' (grants at a grid), then any grant's place
 * at a village or grid (party members, grid staff, the village admin). */
export function myVillage(me) {
  const grants = me?.grants ?? []
  const pick = (g) => String(g.place ?? '').slice(0, 12)
  const fine = (v) => /^\d{12}$/.test(v)
  for (const g of grants) if (g.household && fine(pick(g))) return pick(g)
  for (const g of grants) if (['village', 'grid'].includes(levelOf(g.place)) && fine(pick(g))) return pick(g)
  for (const p of placesOf(me, 'vanguard.approve')) if (['village', 'grid'].includes(levelOf(p))) return p.slice(0, 12)
  return null
}

/** The township of the person's village (its 9 digits), for the villages' ranking. */
export const townshipOf = (village) => (village ? String(village).slice(0, 9) : null)

export const loadFeed = (place, cursor = null) => api.get(`/vanguard/deeds?${q({ place, limit: 10, cursor })}`)
export const loadDeed = (id) => api.get(`/vanguard/deeds/${enc(id)}`)
export const loadComments = (id, cursor = null) => api.get(`/vanguard/deeds/${enc(id)}/comments?${q({ limit: 20, cursor })}`)
export const sendComment = (id, text, key) =>
  api.post(`/vanguard/deeds/${enc(id)}/comments`, { text }, { idempotencyKey: key })
export const loadMine = (cursor = null) => api.get(`/vanguard/deeds/mine?${q({ limit: 20, cursor })}`)
export const loadPoints = (uid, cursor = null) => api.get(`/vanguard/points/${enc(uid)}?${q({ limit: 20, cursor })}`)
export const loadIndex = (place, period) => api.get(`/vanguard/index?${q({ place, period })}`)

/**
 * The 点赞 toggle of one deed (reactive `deed`: {id, likes, liked_by_me}). Tapping flips it at once (optimistic);
 * PUT (like) or DELETE (unlike) — both idempotent, so a repeat or a retry changes nothing twice — and the answer's
 * count and liked_by_me replace the guess. On an error the deed goes back to what it was and the error is thrown.
 * A tap while one is on its way is ignored (the server's answer decides).
 */
export function likeToggle(deed, request = api) {
  let busy = false
  return async function toggle() {
    if (busy) return false
    busy = true
    const before = { likes: deed.likes, liked_by_me: deed.liked_by_me }
    const like = !before.liked_by_me
    deed.liked_by_me = like
    deed.likes = Math.max(0, before.likes + (like ? 1 : -1))
    try {
      const path = `/vanguard/deeds/${enc(deed.id)}/like`
      const out = like ? await request.put(path) : await request.del(path)
      deed.likes = out.likes
      deed.liked_by_me = out.liked_by_me
      return true
    } catch (e) {
      deed.likes = before.likes
      deed.liked_by_me = before.liked_by_me
      throw e
    } finally {
      busy = false
    }
  }
}

/** What is wrong with a deed before sending, as {field: i18n key} with the server's field names. */
export function deedProblems(form) {
  const out = {}
  const n = length(form.text.trim())
  if (n < MIN_TEXT) out.text = 'vanguard.textShort'
  else if (n > MAX_TEXT) out.text = 'vanguard.textLong'
  if (form.photos.length < MIN_PHOTOS) out.photos = 'vanguard.photoRequired'
  else if (form.photos.length > MAX_PHOTOS) out.photos = 'vanguard.tooManyPhotos'
  return out
}

/** A 422's field names onto the form's: every "photos.N" goes under the photos. */
export const formFieldOf = (field) => (/^photos\.\d+$/.test(field) ? 'photos' : field)

/** Upload one photo (a Blob); resolves with its key. */
export function uploadDeedPhoto(blob, contentType = 'image/jpeg', { fetchImpl, tooLarge = '照片超过300KB' } = {}) {
  return uploadPhotoTo('/vanguard/uploads', { content_type: contentType }, blob, { fetchImpl, messages: { tooLarge } })
}

/** Send a deed: each photo without a key is uploaded first (its key kept, so a retry uploads it only once), then
 * POST /vanguard/deeds with the key keyFor(body) gives (the same body: the same key, so no second deed). */
export async function sendDeed(form, keyFor, upload = uploadDeedPhoto) {
  for (const p of form.photos) if (!p.key) p.key = await upload(p.blob, p.blob?.type || 'image/jpeg')
  const body = { text: form.text.trim(), photos: form.photos.map((p) => p.key) }
  return api.post('/vanguard/deeds', body, { idempotencyKey: keyFor(body) })
}

function shanghai(date) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .formatToParts(date)
  const get = (type) => Number(parts.find((p) => p.type === type).value)
  return { y: get('year'), m: get('month') }
}

/** This month ("2026-12") or quarter ("2026-Q4") in Asia/Shanghai. */
export function periodOf(kind, date = new Date()) {
  const { y, m } = shanghai(date)
  return kind === 'quarter' ? `${y}-Q${Math.floor((m - 1) / 3) + 1}` : `${y}-${String(m).padStart(2, '0')}`
}

/** A period as shown: {key, params} for i18n ("2026-12" → 2026年12月, "2026-Q4" → 2026年第4季度). */
export function periodLabel(period) {
  const [y, rest] = period.split('-')
  return rest.startsWith('Q') ? { key: 'vanguard.quarterOf', params: { y, q: rest.slice(1) } }
    : { key: 'vanguard.monthOf', params: { y, m: Number(rest) } }
}

/** Points as shown: whole numbers plain, averages with one decimal. */
export const pointsText = (n) => (n == null ? '—' : Number.isInteger(n) ? String(n) : Number(n).toFixed(1))

export const STATUS_TAG = { pending: 'warning', approved: 'success', rejected: 'danger' }
