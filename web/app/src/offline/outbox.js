// The outbox: creating requests made without a signal wait here, with the Idempotency-Key they were first sent
// with, and go out when the signal returns ('online', app start, the app coming back to the foreground, and every
// 30 s while something waits). The key makes a resend harmless: if the first attempt did reach the server and only
// the answer was lost, the server returns the first answer and creates nothing.
// Kept in localStorage, so closing the app or rebooting the phone loses nothing. Each item remembers who queued it
// and is only sent in that person's session.
import { reactive } from 'vue'
import { ApiError, NetworkError, newIdempotencyKey, request } from '@shared/api.js'
import { owner } from '@shared/kept.js'

const KEY = 'cqt.outbox'
const RETRY_MS = 30_000

function load() {
  try {
    const items = JSON.parse(localStorage.getItem(KEY))
    return Array.isArray(items) ? items : []
  } catch {
    return []
  }
}

export const outbox = reactive({ items: load() })
const sentListeners = new Set()

function persist() {
  localStorage.setItem(KEY, JSON.stringify(outbox.items))
}

/** My queued items (waiting, or refused by the server), oldest first. Reactive when called in a render. */
export function myItems() {
  const me = owner()
  return outbox.items.filter((i) => i.owner === me)
}

export function waitingCount() {
  return myItems().filter((i) => !i.error).length
}

/** Be told when a queued item has been sent: listener(item, result). Returns an unsubscribe function. */
export function onSent(listener) {
  sentListeners.add(listener)
  return () => sentListeners.delete(listener)
}

/**
 * Send a creating request now, or queue it when there is no signal.
 * Resolves {sent: true, result} or {sent: false, item}; rejects with ApiError when the server refuses it.
 * `meta` ({kind, label, ...}) is kept with a queued item so that screens can show it.
 */
export async function submit(method, path, body, meta = {}) {
  const key = newIdempotencyKey()
  if (navigator.onLine !== false) {
    try {
      return { sent: true, result: await request(method, path, body, { idempotencyKey: key }) }
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e
    }
  }
  const item = { key, method, path, body, meta, owner: owner(), queued_at: new Date().toISOString(), error: null }
  outbox.items.push(item)
  persist()
  return { sent: false, item }
}

/** Why the server refused a queued item, as the ApiError it was (null while the item waits). */
export function refusal(item) {
  return item.error && new ApiError(item.error.status, item.error)
}

export function discard(key) {
  const i = outbox.items.findIndex((x) => x.key === key)
  if (i >= 0) {
    outbox.items.splice(i, 1)
    persist()
  }
}

let running = null

/** Send what waits, one at a time and in order; concurrent calls share one run. */
export function flush() {
  running ||= drain().finally(() => {
    running = null
  })
  return running
}

// Worth trying again later (the item stays waiting); anything else is the server refusing this item for good.
function transient(e) {
  return (
    e instanceof NetworkError ||
    // A suspended county's items wait for it to be enabled again.
    (e instanceof ApiError && (e.status === 401 || e.status === 429 || e.status >= 500 || e.code === 'request_in_progress' ||
      e.code === 'county_disabled'))
  )
}

async function drain() {
  for (const item of myItems().filter((i) => !i.error)) {
    if (!outbox.items.some((x) => x.key === item.key)) continue // deleted (or superseded) while others were sent
    try {
      const result = await request(item.method, item.path, item.body, { idempotencyKey: item.key })
      discard(item.key)
      for (const listener of sentListeners) listener(item, result)
    } catch (e) {
      if (transient(e)) return
      const stored = outbox.items.find((x) => x.key === item.key)
      if (stored) {
        stored.error = { status: e.status, code: e.code, message: e.message, details: e.details }
        persist()
      }
    }
  }
}

/** Start sending queued items whenever there is a chance of a signal. */
export function startOutbox() {
  window.addEventListener('online', flush)
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && flush())
  setInterval(() => waitingCount() && flush(), RETRY_MS)
  return flush()
}
