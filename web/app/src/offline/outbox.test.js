import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeFetch, offline } from '../test-support.js'

const SESSION = { access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'u1' }
const BODY = { grid: '330825001201G01', address: '张王村99号', members: [] }

// A fresh copy of the module, as after the app is closed and opened again.
async function reload() {
  vi.resetModules()
  return import('./outbox.js')
}

describe('outbox', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify(SESSION))
  })
  afterEach(() => vi.unstubAllGlobals())

  it('sends at once when there is a signal', async () => {
    const fetch = fakeFetch(() => ({ status: 201, body: { id: 'h1' } }))
    const { submit, myItems } = await reload()
    const r = await submit('POST', '/households', BODY, { kind: 'household' })
    expect(r).toEqual({ sent: true, result: { id: 'h1' } })
    expect(fetch.requests()[0].headers['Idempotency-Key']).toMatch(/^[\w-]{8,}$/)
    expect(myItems()).toEqual([])
  })

  it('queues on a network error, survives a reload, and sends exactly once with the same key', async () => {
    let up = false
    const fetch = fakeFetch(() => (up ? { status: 201, body: { id: 'h1' } } : offline()))
    let outbox = await reload()
    const r = await outbox.submit('POST', '/households', BODY, { kind: 'household' })
    expect(r.sent).toBe(false)
    expect(outbox.waitingCount()).toBe(1)
    const key = fetch.requests()[0].headers['Idempotency-Key']
    expect(r.item.key).toBe(key)

    // Still no signal: flushing keeps it.
    await outbox.flush()
    expect(outbox.waitingCount()).toBe(1)

    // The app is closed and opened again; the queue is still there.
    outbox = await reload()
    expect(outbox.myItems()).toMatchObject([{ key, method: 'POST', path: '/households', body: BODY }])

    up = true
    const sent = vi.fn()
    outbox.onSent(sent)
    fetch.mockClear()
    await Promise.all([outbox.flush(), outbox.flush(), outbox.flush()]) // 'online' + start + timer at once
    await outbox.flush()
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch.requests()[0]).toMatchObject({ method: 'POST', path: '/households', body: BODY })
    expect(fetch.requests()[0].headers['Idempotency-Key']).toBe(key)
    expect(sent).toHaveBeenCalledWith(expect.objectContaining({ key }), { id: 'h1' })
    expect(outbox.myItems()).toEqual([])
    expect(JSON.parse(localStorage.getItem('cqt.outbox'))).toEqual([])
  })

  it('queues without trying when the phone knows it is offline, and sends on the online event', async () => {
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false)
    const fetch = fakeFetch(() => ({ status: 201, body: { id: 'h2' } }))
    const outbox = await reload()
    await outbox.submit('POST', '/households', BODY, { kind: 'household' })
    expect(fetch).not.toHaveBeenCalled()
    await outbox.startOutbox()
    expect(fetch).toHaveBeenCalledTimes(1) // sent on app start
    expect(outbox.myItems()).toEqual([])
    vi.restoreAllMocks()
  })

  it('keeps an item the server refuses, with its field errors, and sends nothing else for it', async () => {
    fakeFetch(offline)
    const outbox = await reload()
    const { item } = await outbox.submit('POST', '/households', BODY, { kind: 'household' })
    const fetch = fakeFetch(() =>
      apiError(422, 'validation_failed', '提交的内容不符合要求', [
        { field: 'members.0.id_number', code: 'value_error', message: '身份证号校验位不正确' },
      ]),
    )
    await outbox.flush()
    await outbox.flush()
    expect(fetch).toHaveBeenCalledTimes(1)
    const [stored] = outbox.myItems()
    expect(stored.key).toBe(item.key)
    expect(outbox.refusal(stored).fieldErrors()).toEqual({ 'members.0.id_number': '身份证号校验位不正确' })
    expect(outbox.waitingCount()).toBe(0)
    outbox.discard(item.key)
    expect(outbox.myItems()).toEqual([])
  })

  it('waits on a busy server or an expired session instead of giving up', async () => {
    fakeFetch(offline)
    const outbox = await reload()
    await outbox.submit('POST', '/households', BODY, { kind: 'household' })
    fakeFetch(() => apiError(503, 'service_unavailable', '服务暂时不可用', null, { 'Retry-After': '5' }))
    await outbox.flush()
    expect(outbox.waitingCount()).toBe(1)
  })

  it("sends only the signed-in person's items", async () => {
    fakeFetch(offline)
    const outbox = await reload()
    await outbox.submit('POST', '/households', BODY, { kind: 'household' })
    localStorage.setItem('cqt.session', JSON.stringify({ ...SESSION, user_id: 'u2' }))
    const fetch = fakeFetch(() => ({ status: 201, body: {} }))
    await outbox.flush()
    expect(fetch).not.toHaveBeenCalled()
    expect(outbox.myItems()).toEqual([])
    expect(outbox.outbox.items).toHaveLength(1)
  })
})
