import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { NetworkError, api, onSessionEnded, session } from './api.js'

function fake(answer) {
  const seen = []
  globalThis.fetch = vi.fn(async (url, init = {}) => {
    const req = { method: init.method || 'GET', path: String(url).replace(/^\/api/, ''), headers: init.headers || {},
      body: init.body ? JSON.parse(init.body) : undefined }
    seen.push(req)
    const r = await answer(req)
    return new Response(JSON.stringify(r.body ?? {}), { status: r.status ?? 200,
      headers: { 'Content-Type': 'application/json' } })
  })
  return seen
}

const FRESH = { access_token: 'a2', refresh_token: 'r2', expires_in: 900, token_type: 'Bearer' }

describe('the access token is refreshed before it expires', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.useRealTimers())

  it('a new token gets its expiry on this clock; other saves keep it', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    session.save({ access_token: 'a1', refresh_token: 'r1', expires_in: 900 })
    expect(session.load().expires_at).toBe(1_000_000 + 900_000)
    vi.setSystemTime(2_000_000)
    session.save({ ...session.load(), tenant: '330825' })
    expect(session.load().expires_at).toBe(1_000_000 + 900_000)
  })

  it('the morning after: one refresh, then the request with the new token — no refused request', async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    session.save({ access_token: 'a1', refresh_token: 'r1', expires_in: 900, tenant: '330825' })
    vi.setSystemTime(1_000_000 + 12 * 3600_000)
    const seen = fake((req) => (req.path === '/auth/refresh' ? { body: FRESH } : { body: { ok: req.headers.Authorization } }))
    expect(await api.get('/me')).toEqual({ ok: 'Bearer a2' })
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /auth/refresh', 'GET /me'])
    expect(seen[0].body).toEqual({ refresh_token: 'r1' })
    expect(session.load()).toMatchObject({ access_token: 'a2', refresh_token: 'r2', tenant: '330825' })
  })

  it('a token still valid is used as it is', async () => {
    session.save({ access_token: 'a1', refresh_token: 'r1', expires_in: 900 })
    const seen = fake(() => ({ body: {} }))
    await api.get('/me')
    expect(seen.map((r) => r.path)).toEqual(['/me'])
  })

  it('without a signal the request fails as offline and the session is kept', async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    session.save({ access_token: 'a1', refresh_token: 'r1', expires_in: 900 })
    vi.setSystemTime(1_000_000 + 3600_000)
    globalThis.fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    })
    await expect(api.get('/me')).rejects.toBeInstanceOf(NetworkError)
    expect(session.load()).toMatchObject({ access_token: 'a1', refresh_token: 'r1' })
  })

  it('a refresh token refused ends the session (the request goes out unsigned-in and is refused)', async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    session.save({ access_token: 'a1', refresh_token: 'r1', expires_in: 900 })
    vi.setSystemTime(1_000_000 + 3600_000)
    const ended = vi.fn()
    const off = onSessionEnded(ended)
    fake((req) => (req.path === '/auth/refresh'
      ? { status: 401, body: { error: { code: 'invalid_refresh_token' } } }
      : { status: 401, body: { message: 'Unauthorized' } }))
    await expect(api.get('/me')).rejects.toMatchObject({ status: 401 })
    expect(session.load()).toBe(null)
    expect(ended).toHaveBeenCalled()
    off()
  })
})
