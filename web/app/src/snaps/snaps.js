// 随手拍 on the phone: the form's state, the request body, the checks made before sending, the duplicate
// suggestion, and sending through the outbox — the photos (shrunk on the phone) wait there too without a signal,
// each is uploaded once, and the 随手拍 is filed once with one Idempotency-Key.
import { reactive } from 'vue'
import { api } from '@shared/api.js'
import { isGrid } from '@shared/placeCodes.js'
import { discard, myItems, submitWithFiles } from '../offline/outbox.js'

export const TYPE = 'snap'
export const MIN_TEXT = 2
export const MAX_TEXT = 500
export const MAX_LOCATION = 100
export const MAX_PHOTOS = 6

/** Characters as the server counts them (code points). */
const length = (s) => [...String(s ?? '')].length

/** About 100 m: the position never leaves the phone more precise than the server would keep it. */
export const roughly = (v) => Math.round(v * 1000) / 1000

/** The form, empty or filled from a 随手拍 the server refused (to fix and send again). */
export function newSnap(previous = null) {
  return reactive({
    category: previous?.category ?? null,
    text: previous?.text ?? '',
    location: previous?.location ?? '',
    extra: { ...(previous?.extra ?? {}) },
    gps: previous?.lat != null,
    lat: previous?.lat ?? null,
    lng: previous?.lng ?? null,
  })
}

const empty = (v) => v == null || v === '' || (Array.isArray(v) && !v.length)

/** The POST /snaps body without its photos: trimmed; only the chosen category's extra fields; GPS when asked. */
export function snapBody(form, category) {
  const body = { category: form.category, text: String(form.text ?? '').trim() }
  const location = String(form.location ?? '').trim()
  if (location) body.location = location
  const extra = {}
  for (const f of category?.fields ?? []) {
    let v = form.extra[f.code]
    if (typeof v === 'string') v = v.trim()
    if (f.datatype === 'number' && !empty(v)) v = Number(v)
    if (!empty(v)) extra[f.code] = v
  }
  if (Object.keys(extra).length) body.extra = extra
  if (form.gps && form.lat != null && form.lng != null) {
    body.lat = roughly(form.lat)
    body.lng = roughly(form.lng)
  }
  return body
}

/** What is wrong before sending, as {field: i18n key} with the server's field names. */
export function snapProblems(body, photos, category) {
  const out = {}
  if (!photos.length) out.photos = 'photos.required' // (the picker takes no more than the type allows)
  if (!category) out.category = 'snap.pickCategory'
  for (const f of category?.fields ?? []) {
    if (f.required && empty(body.extra?.[f.code])) out[`extra.${f.code}`] = 'validate.required'
    else if (f.datatype === 'number' && body.extra?.[f.code] != null && !Number.isFinite(body.extra[f.code])) {
      out[`extra.${f.code}`] = 'snap.notANumber'
    }
  }
  const n = length(body.text)
  if (!n) out.text = 'validate.required'
  else if (n < MIN_TEXT) out.text = 'snap.textShort'
  return out
}

/** The grid a 随手拍 goes to: the household's (as the server picks it: the first resident grant at a grid). */
export function homeGrid(me) {
  return (me?.grants ?? []).find((g) => g.household && isGrid(g.place))?.place ?? null
}

/** Open 随手拍 of the category in the grid in the last 7 days; [] when it cannot be asked (no signal). */
export async function findSimilar(grid, category) {
  if (!grid || !category) return []
  try {
    return (await api.get(`/snaps/similar?${new URLSearchParams({ grid, category })}`)).items
  } catch {
    return []
  }
}

/** 随手拍 waiting in (or refused by) the outbox, oldest first. */
export function queuedSnaps() {
  return myItems().filter((i) => i.meta.kind === 'snap')
}

/**
 * Send a 随手拍 now, or keep it (with its photos) until there is a signal. `photos`: [{blob, key}] (key: already
 * uploaded by an earlier attempt). `replaces`: the key of a refused queued one this fixes.
 * Resolves {sent, result | item}; rejects with the ApiError when refused (with `uploaded` keys, see the outbox).
 */
export function sendSnap(body, photos, meta = {}, replaces = null) {
  if (replaces) discard(replaces)
  const files = photos.map((p) => ({ blob: p.blob, key: p.key ?? null, type: TYPE, content_type: 'image/jpeg' }))
  return submitWithFiles('POST', '/snaps', body, files, { kind: 'snap', ...meta })
}
