// 村民信箱 on the phone: the letter's state, the request body, the checks made before sending, and sending through
// the outbox (a letter written without a signal waits on the phone with its photos and is sent exactly once, with
// one Idempotency-Key, like 随手拍).
import { reactive } from 'vue'
import { discard, myItems, submitWithFiles } from '../offline/outbox.js'

export const TYPE = 'letter'
export const MODULE = 'mailbox'
export const RECIPIENTS = ['village', 'township'] // 村两委 or 乡镇（街道）
export const MIN_TEXT = 5
export const MAX_TEXT = 2000
export const MAX_PHOTOS = 3
export const ANSWER_DAYS = 3 // working days before an unanswered letter goes up a level

/** Characters as the server counts them (code points, not UTF-16 units). */
export const length = (s) => [...String(s ?? '')].length

/** The form, empty or filled from a letter the server refused (to fix and send again). */
export function newLetter(previous = null) {
  return reactive({
    to: RECIPIENTS.includes(previous?.to) ? previous.to : 'village',
    category: previous?.category ?? null,
    text: previous?.text ?? '',
    anonymous: Boolean(previous?.anonymous),
  })
}

/** The county's categories a new letter may choose (a category switched off keeps only the letters filed under it). */
export const openCategories = (type) => (type?.categories ?? []).filter((c) => c.enabled !== false)

/** The POST /letters body without its photos (the outbox adds their upload keys): the words trimmed. */
export function letterBody(form) {
  return {
    to: RECIPIENTS.includes(form.to) ? form.to : 'village',
    category: form.category,
    text: String(form.text ?? '').trim(),
    anonymous: Boolean(form.anonymous),
  }
}

/** What is wrong before sending, as {field: i18n key} with the server's field names. */
export function letterProblems(body, categories) {
  const out = {}
  if (!categories.some((c) => c.code === body.category)) out.category = 'letter.pickCategory'
  const n = length(body.text)
  if (!n) out.text = 'validate.required'
  else if (n < MIN_TEXT) out.text = 'letter.textShort'
  else if (n > MAX_TEXT) out.text = 'letter.textLong'
  return out
}

/** The village a letter goes to: the household's (as the server picks it: the first resident grant in a village). */
export function homeVillage(me) {
  const g = (me?.grants ?? []).find((x) => x.household && String(x.place ?? '').length >= 12)
  return g ? g.place.slice(0, 12) : null
}

/** Letters waiting in (or refused by) the outbox, oldest first. */
export function queuedLetters() {
  return myItems().filter((i) => i.meta.kind === 'letter')
}

/**
 * Send a letter now, or keep it (with its photos) until there is a signal. `photos`: [{blob, key}] (key: already
 * uploaded by an earlier attempt). `replaces`: the key of a refused queued letter this one fixes.
 * Resolves {sent, result | item}; rejects with the ApiError when refused (with `uploaded` keys, see the outbox).
 */
export function sendLetter(body, photos, meta = {}, replaces = null) {
  if (replaces) discard(replaces)
  const files = photos.map((p) => ({ blob: p.blob, key: p.key ?? null, type: TYPE, content_type: 'image/jpeg' }))
  return submitWithFiles('POST', '/letters', body, files, { kind: 'letter', ...meta })
}
