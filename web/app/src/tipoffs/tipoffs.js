// 疫情举报 on the phone: the form's state, the request body, the checks made before sending, and sending through
// the outbox (a tip-off made without a signal waits as 待发送 with its Idempotency-Key and is sent exactly once).
import { reactive } from 'vue'
import { discard, myItems, submit } from '../offline/outbox.js'

export const CATEGORIES = ['returnee', 'gathering', 'other']
export const STATUSES = ['open', 'handling', 'closed']
export const DISPOSITIONS = ['warned', 'quarantine_arranged', 'unfounded', 'other']
export const MIN_DESCRIPTION = 2
export const MAX_DESCRIPTION = 500
export const MAX_LOCATION = 100

/** Characters as the server counts them (code points, not UTF-16 units). */
export const length = (s) => [...String(s ?? '')].length

/** The form, empty or filled from a tip-off the server refused (to fix and send again). */
export function newTipoff(previous = null) {
  return reactive({
    category: CATEGORIES.includes(previous?.category) ? previous.category : null,
    description: previous?.description ?? '',
    location: previous?.location ?? '',
    anonymous: Boolean(previous?.anonymous),
  })
}

/** The POST /tipoffs body: trimmed; no location when none was given (the village is the reporter's own). */
export function tipoffBody(form) {
  const body = { category: form.category, description: String(form.description ?? '').trim(), anonymous: Boolean(form.anonymous) }
  const location = String(form.location ?? '').trim()
  if (location) body.location = location
  return body
}

/** What is wrong before sending, as {field: i18n key} with the server's field names. */
export function tipoffProblems(body) {
  const out = {}
  if (!CATEGORIES.includes(body.category)) out.category = 'tipoff.pickCategory'
  const n = length(body.description)
  if (!n) out.description = 'validate.required'
  else if (n < MIN_DESCRIPTION) out.description = 'tipoff.descriptionShort'
  return out
}

/** Tip-offs waiting in (or refused by) the outbox, oldest first. */
export function queuedTipoffs() {
  return myItems().filter((i) => i.meta.kind === 'tipoff')
}

/**
 * Send a tip-off now, or queue it without a signal. `replaces`: the key of a refused queued tip-off this one fixes.
 * Resolves {sent, result | item}; rejects with the ApiError when the server refuses it.
 */
export function sendTipoff(body, replaces = null) {
  if (replaces) discard(replaces)
  return submit('POST', '/tipoffs', body, { kind: 'tipoff' })
}
