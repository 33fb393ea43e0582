// The outbox: creating requests made without a signal wait here, with the Idempotency-Key they were first sent
// with, and go out when the signal returns ('online', app start, the app coming back to the foreground, and every
// 30 s while something waits). The key makes a resend harmless: if the first attempt did reach the server and only
// the answer was lost, the server returns the first answer and creates nothing.
// Kept in localStorage, so closing the app or rebooting the phone loses nothing. Each item remembers who queued it
// and is only sent in that person's session.
// An item may carry files (a 随手拍's shrunk photos, kept in IndexedDB: blobs.js). They go to S3 first, one by one
// (files.js); each upload's key is stored on the item as soon as it is known, so a retry uploads only what is not
// there yet; then the request goes out with the keys in its body and the item's one Idempotency-Key.
import { reactive } from 'vue'
import { ApiError, NetworkError, newIdempotencyKey, request } from '@shared/api.js'
import { owner } from '@shared/kept.js'
import { deleteBlobs, putBlob } from './blobs.js'

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
    const [item] = outbox.items.splice(i, 1)
    persist()
    if (item.files?.length) deleteBlobs(item.files.map((f) => f.id))
  }
}

// Items being sent right now (by submitWithFiles or a flush): never sent twice at once.
const inFlight = new Set()

/** The body as sent: with the keys of the item's uploaded files in their field. */
export function bodyOf(item) {
  if (!item.files?.length) return item.body
  return { ...item.body, [item.filesField]: item.files.map((f) => f.key) }
}

async function send(item) {
  inFlight.add(item.key)
  try {
    if (item.files?.some((f) => !f.key)) {
      const { uploadFiles } = await import('./files.js')
      await uploadFiles(item, persist)
    }
    return await request(item.method, item.path, bodyOf(item), { idempotencyKey: item.key })
  } finally {
    inFlight.delete(item.key)
  }
}

/**
 * Send a creating request whose body names uploaded files (`field`: the list of their keys), now or, without a
 * signal, later. `files`: [{blob, type, content_type, key?}] — `key` when that file was already uploaded. The files
 * are first stored on the phone, so a photo taken offline survives the app being closed.
 * Resolves {sent: true, result} or {sent: false, item}. When the server (or S3) refuses it, nothing stays queued
 * and the ApiError is thrown with `uploaded`: the keys of the files uploaded meanwhile (null for the others), so that
 * the form can send them again without uploading them again.
 */
export async function submitWithFiles(method, path, body, files, meta = {}, { field = 'photos' } = {}) {
  const key = newIdempotencyKey()
  const stored = []
  for (const [n, f] of files.entries()) {
    const id = `${key}.${n}`
    await putBlob(id, f.blob) // also when uploaded already: a refused item is fixed on its form with its photos
    stored.push({ id, type: f.type, content_type: f.content_type || f.blob?.type || 'image/jpeg', key: f.key ?? null })
  }
  outbox.items.push({
    key, method, path, body, files: stored, filesField: field, meta, owner: owner(),
    queued_at: new Date().toISOString(), error: null,
  })
  persist()
  const item = outbox.items.find((x) => x.key === key) // the reactive copy: the keys found are seen at once
  if (navigator.onLine === false) return { sent: false, item }
  try {
    const result = await send(item)
    discard(key)
    for (const listener of sentListeners) listener(item, result)
    return { sent: true, result }
  } catch (e) {
    if (transient(e)) return { sent: false, item }
    e.uploaded = item.files.map((f) => f.key)
    discard(key)
    throw e
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
    if (inFlight.has(item.key)) continue // being sent by the screen that made it
    try {
      const result = await send(item)
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
