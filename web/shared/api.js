// The one API client both web apps use. Same origin: the API lives under /api/.
// - Bearer access token, refreshed with the rotating refresh token *before* it expires (the session keeps
//   expires_at), so opening the app in the morning costs no refused request; a 401 still refreshes once.
// - Errors come back as ApiError carrying the server's envelope {code, message (zh-CN), details}.
// - Network failures are NetworkError, so screens can offer a retry (or queue the write, see offline.js).
// - Creating POSTs send an Idempotency-Key; a retry of the same action must reuse the same key.

const BASE = '/api'
/** A URL of the API that the browser fetches itself (an HLS playlist the player loads). */
export const apiUrl = (path) => BASE + path
const STORE = 'cqt.session'

export class ApiError extends Error {
  constructor(status, error, retryAfter = null) {
    super(error?.message || `HTTP ${status}`)
    this.status = status
    this.code = error?.code || 'http_error'
    this.details = error?.details ?? null
    /** Seconds to wait before trying again (429/503: the Retry-After header, else details.retry_after). */
    this.retryAfter = retryAfter ?? this.details?.retry_after ?? null
  }
  /** Field errors as {field: message} (422 details are [{field, code, message}]). */
  fieldErrors() {
    const out = {}
    if (Array.isArray(this.details)) {
      for (const d of this.details) if (d && d.field) out[d.field] = d.message
    }
    return out
  }
}

export class NetworkError extends Error {
  constructor(cause) {
    super('network')
    this.cause = cause
  }
}

export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID()
  return `k-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`
}

export const session = {
  load() {
    try {
      return JSON.parse(localStorage.getItem(STORE)) || null
    } catch {
      return null
    }
  },
  /** Keep the session; a new access token (sign-in, refresh) gets its expiry on this phone's clock. */
  save(s) {
    const before = this.load()
    if (Number.isFinite(s?.expires_in) && (s.access_token !== before?.access_token || !s.expires_at)) {
      s = { ...s, expires_at: Date.now() + s.expires_in * 1000 }
    }
    localStorage.setItem(STORE, JSON.stringify(s))
  },
  clear() {
    localStorage.removeItem(STORE)
  },
}

let refreshing = null
const EXPIRY_MARGIN_MS = 30_000 // refresh this long before the access token expires (clocks and slow signals)
const sessionEndedListeners = new Set()
const suspendedListeners = new Set()

/** Call `listener` when a signed-in request is refused (401) and the session cannot be refreshed. */
export function onSessionEnded(listener) {
  sessionEndedListeners.add(listener)
  return () => sessionEndedListeners.delete(listener)
}

/**
 * Call `listener(details)` when the server says the county's service is suspended (403 county_disabled, from any
 * request, sign-in and token refresh included). details: {county, county_name, contact, since}. The session is
 * kept: when the county is enabled again, the person carries on where they were.
 */
export function onCountySuspended(listener) {
  suspendedListeners.add(listener)
  return () => suspendedListeners.delete(listener)
}

function noticeSuspended(status, error) {
  if (status !== 403 || error?.code !== 'county_disabled') return false
  for (const listener of suspendedListeners) listener(error.details || {})
  return true
}

async function refresh() {
  const s = session.load()
  if (!s?.refresh_token) return false
  refreshing ||= fetch(`${BASE}/auth/refresh`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: s.refresh_token }),
  })
    .then(async (r) => {
      if (!r.ok) {
        const error = await r.json().then((d) => d?.error, () => null)
        if (noticeSuspended(r.status, error)) return new ApiError(r.status, error)
        session.clear()
        return false
      }
      session.save({ ...s, ...(await r.json()) })
      return true
    })
    .finally(() => {
      refreshing = null
    })
  return refreshing
}

/**
 * Rotate the tokens now, e.g. after the server gave the person a new role (the new access token carries it; /me is
 * read again after this). Resolves true when refreshed, false when the session could not be (sign in again).
 */
export async function refreshSession() {
  let out
  try {
    out = await refresh()
  } catch (e) {
    throw new NetworkError(e)
  }
  if (out instanceof ApiError) throw out // the county is suspended
  return out === true
}

/**
 * request('GET', '/me') / request('POST', '/households', body, {idempotencyKey})
 * Resolves with the parsed JSON (or null for 204); rejects with ApiError or NetworkError.
 */
export async function request(method, path, body, { idempotencyKey, auth = true, retried = false } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let s = session.load()
  const signedIn = Boolean(s?.access_token)
  if (auth && s?.refresh_token && s.expires_at && Date.now() > s.expires_at - EXPIRY_MARGIN_MS) {
    let refreshed = false
    try {
      refreshed = await refresh()
    } catch {
      // no signal: the request below says so (NetworkError), and the session stays as it is
    }
    if (refreshed instanceof ApiError) throw refreshed // the county is suspended: not a sign-out
    s = session.load()
  }
  if (auth && s?.access_token) headers.Authorization = `Bearer ${s.access_token}`
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey
  let r
  try {
    r = await fetch(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (e) {
    throw new NetworkError(e)
  }
  if (r.status === 401 && auth && !retried) {
    const refreshed = await refresh()
    if (refreshed instanceof ApiError) throw refreshed // the county is suspended: not a sign-out
    if (refreshed) return request(method, path, body, { idempotencyKey, auth, retried: true })
  }
  if (r.status === 401 && auth && signedIn) {
    for (const listener of sessionEndedListeners) listener()
  }
  if (r.status === 204) return null
  let data = null
  try {
    data = await r.json()
  } catch {
    data = null
  }
  if (!r.ok) {
    noticeSuspended(r.status, data?.error)
    throw new ApiError(r.status, data?.error, retryAfterSeconds(r.headers?.get?.('Retry-After')))
  }
  return data
}

function retryAfterSeconds(header) {
  const n = Number.parseInt(header ?? '', 10)
  return Number.isFinite(n) && n >= 0 ? n : null
}

export const api = {
  get: (path, opts) => request('GET', path, undefined, opts),
  post: (path, body, opts) => request('POST', path, body ?? {}, opts),
  put: (path, body, opts) => request('PUT', path, body ?? {}, opts),
  patch: (path, body, opts) => request('PATCH', path, body ?? {}, opts),
  del: (path, opts) => request('DELETE', path, undefined, opts),
}

export async function signOut() {
  const s = session.load()
  if (s?.refresh_token) {
    try {
      await request('POST', '/auth/signout', { refresh_token: s.refresh_token }, { auth: false })
    } catch {
      // signing out locally is what matters
    }
  }
  session.clear()
}
