// The outbox with files (a 随手拍's photos): kept on the phone without a signal, each photo uploaded once (its key
// remembered across retries and restarts), then the request sent with the keys and one Idempotency-Key.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeFetch, offline } from '../test-support.js'

const SESSION = { access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'u1' }
const BODY = { category: 'sanitation', text: '村口垃圾堆了三天没人清' }
const S3 = 'http://127.0.0.1:9/media'

// IndexedDB as the phone keeps it: survives the app being closed (a module reload), unlike the module's memory.
const disk = new Map()
const fakeStore = {
  put: async (id, blob) => void disk.set(id, blob),
  get: async (id) => disk.get(id) ?? null,
  del: async (id) => void disk.delete(id),
}

async function reload() {
  vi.resetModules()
  ;(await import('./blobs.js')).setBlobStore(fakeStore)
  return import('./outbox.js')
}

const jpeg = (n) => new Blob([new Uint8Array(n)], { type: 'image/jpeg' })
const photos = () => [
  { blob: jpeg(1000), type: 'snap', content_type: 'image/jpeg' },
  { blob: jpeg(2000), type: 'snap', content_type: 'image/jpeg' },
]

let forms = 0 // every form ever handed out has a key of its own: k1, k2, …

/** A server and S3; `s3(n)` and `snap(n)` may answer the n-th upload / filing otherwise. */
function world({ s3 = () => ({ status: 204 }), snap = () => ({ status: 201, body: { ref: 'SP-330825-000001' } }) } = {}) {
  let uploads = 0
  let filings = 0
  return fakeFetch((req) => {
    if (req.method === 'POST' && req.path === '/cases/uploads') {
      forms += 1
      const key = `330825/cases/snap/u1/k${forms}.jpg`
      return { status: 201, body: { key, url: S3, fields: { key, policy: 'p', 'x-amz-signature': 's' }, max_bytes: 307200 } }
    }
    if (req.method === 'POST' && req.path === S3) return s3(++uploads, req)
    if (req.method === 'POST' && req.path === '/snaps') return snap(++filings, req)
    return { status: 404, body: {} }
  })
}

const calls = (fetch, path) => fetch.requests().filter((r) => r.path === path)

describe('outbox with photos', () => {
  beforeEach(() => {
    localStorage.clear()
    disk.clear()
    forms = 0
    localStorage.setItem('cqt.session', JSON.stringify(SESSION))
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
  })

  it('keeps a 随手拍 made offline with its photos, uploads each photo once across retries and restarts, and files it once with one key', async () => {
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false)
    let fetch = world()
    let outbox = await reload()
    const r = await outbox.submitWithFiles('POST', '/snaps', BODY, photos(), { kind: 'snap', category: '环境卫生' })
    expect(r.sent).toBe(false)
    expect(fetch).not.toHaveBeenCalled()
    expect(outbox.waitingCount()).toBe(1)
    const key = r.item.key
    // The photos are on the phone (IndexedDB); localStorage holds only their ids.
    expect([...disk.keys()]).toEqual([`${key}.0`, `${key}.1`])
    const kept = JSON.parse(localStorage.getItem('cqt.outbox'))
    expect(kept).toMatchObject([{ key, path: '/snaps', body: BODY, filesField: 'photos',
      files: [{ id: `${key}.0`, type: 'snap', content_type: 'image/jpeg', key: null }, { id: `${key}.1`, key: null }] }])
    vi.restoreAllMocks()

    // A weak signal: the first photo goes up, the second does not reach S3.
    fetch = world({ s3: (n) => (n === 2 ? offline() : { status: 204 }) })
    await outbox.flush()
    expect(outbox.waitingCount()).toBe(1)
    expect(outbox.myItems()[0].files.map((f) => f.key)).toEqual(['330825/cases/snap/u1/k1.jpg', null])
    expect(JSON.parse(localStorage.getItem('cqt.outbox'))[0].files[0].key).toBe('330825/cases/snap/u1/k1.jpg')
    expect(calls(fetch, '/snaps')).toEqual([])

    // The app is closed and opened again; the photo goes up, but the answer of the filing is lost.
    outbox = await reload()
    fetch = world({ snap: (n) => (n === 1 ? offline() : { status: 201, body: { ref: 'SP-330825-000001' } }) })
    await outbox.flush()
    expect(calls(fetch, '/cases/uploads')).toHaveLength(1) // only the second photo
    const K = ['330825/cases/snap/u1/k1.jpg', '330825/cases/snap/u1/k3.jpg'] // k2's upload never reached S3
    expect(outbox.myItems()[0].files.map((f) => f.key)).toEqual(K)

    // Retried: no upload at all, the same body and the same Idempotency-Key.
    const sent = vi.fn()
    outbox.onSent(sent)
    fetch.mockClear()
    await Promise.all([outbox.flush(), outbox.flush()])
    expect(calls(fetch, '/cases/uploads')).toEqual([])
    const filings = calls(fetch, '/snaps')
    expect(filings).toHaveLength(1)
    expect(filings[0].headers['Idempotency-Key']).toBe(key)
    expect(filings[0].body).toEqual({ ...BODY, photos: K })
    expect(sent).toHaveBeenCalledWith(expect.objectContaining({ key }), { ref: 'SP-330825-000001' })
    expect(outbox.myItems()).toEqual([])
    await vi.waitFor(() => expect(disk.size).toBe(0)) // the photos leave the phone with the item
  })

  it('posts every form field, then the photo last, to S3', async () => {
    const fetch = world()
    const outbox = await reload()
    const r = await outbox.submitWithFiles('POST', '/snaps', BODY, photos().slice(0, 1), { kind: 'snap' })
    expect(r).toEqual({ sent: true, result: { ref: 'SP-330825-000001' } })
    const [upload] = calls(fetch, S3)
    expect([...upload.body.keys()]).toEqual(['key', 'policy', 'x-amz-signature', 'file'])
    expect(upload.body.get('file').size).toBe(1000)
    expect(JSON.parse(fetch.mock.calls[0][1].body)).toEqual({ type: 'snap', content_type: 'image/jpeg' })
    expect(calls(fetch, '/snaps')[0].body.photos).toEqual(['330825/cases/snap/u1/k1.jpg'])
    expect(outbox.myItems()).toEqual([])
  })

  it('sends a photo already uploaded by an earlier attempt without uploading it again', async () => {
    const fetch = world()
    const outbox = await reload()
    const files = photos()
    files[0].key = '330825/cases/snap/u1/earlier.jpg'
    await outbox.submitWithFiles('POST', '/snaps', BODY, files, { kind: 'snap' })
    expect(calls(fetch, '/cases/uploads')).toHaveLength(1)
    expect(calls(fetch, '/snaps')[0].body.photos).toEqual(['330825/cases/snap/u1/earlier.jpg', '330825/cases/snap/u1/k1.jpg'])
  })

  it('a refusal while online keeps nothing queued and hands back the keys uploaded meanwhile', async () => {
    world({ snap: () => apiError(422, 'validation_failed', '提交的内容不符合要求', [{ field: 'extra.facility', code: 'required', message: '请选择设施类型' }]) })
    const outbox = await reload()
    const err = await outbox.submitWithFiles('POST', '/snaps', BODY, photos(), { kind: 'snap' }).catch((e) => e)
    expect(err.status).toBe(422)
    expect(err.fieldErrors()).toEqual({ 'extra.facility': '请选择设施类型' })
    expect(err.uploaded).toEqual(['330825/cases/snap/u1/k1.jpg', '330825/cases/snap/u1/k2.jpg'])
    expect(outbox.myItems()).toEqual([])
    await vi.waitFor(() => expect(disk.size).toBe(0))
  })

  it('S3 out of reach (no signal, CORS, busy) waits; S3 refusing the photo is a refusal kept with its reason', async () => {
    world({ s3: () => ({ status: 503, body: null }) })
    let outbox = await reload()
    expect((await outbox.submitWithFiles('POST', '/snaps', BODY, photos(), { kind: 'snap' })).sent).toBe(false)
    expect(outbox.waitingCount()).toBe(1)

    world({ s3: () => ({ status: 400, body: null }) })
    outbox = await reload()
    await outbox.flush()
    const [item] = outbox.myItems()
    expect(item.error).toMatchObject({ status: 400, code: 'upload_refused' })
    expect(outbox.refusal(item).message).toBe('照片上传失败，请重新选择照片后提交')
    expect(outbox.waitingCount()).toBe(0)
  })

  it('a photo the phone lost (storage cleared) is a refusal: it has to be taken again', async () => {
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false)
    world()
    let outbox = await reload()
    await outbox.submitWithFiles('POST', '/snaps', BODY, photos(), { kind: 'snap' })
    vi.restoreAllMocks()
    disk.clear()
    const fetch = world()
    outbox = await reload()
    await outbox.flush()
    expect(outbox.myItems()[0].error).toMatchObject({ code: 'photo_lost', message: '照片已不在手机上，请重新拍照后提交' })
    expect(calls(fetch, '/snaps')).toEqual([])
  })

  it('a screen sending its item and a flush at the same moment send it once', async () => {
    let release
    const gate = new Promise((r) => (release = r))
    const fetch = world({ snap: async () => (await gate, { status: 201, body: { ref: 'SP-330825-000002' } }) })
    const outbox = await reload()
    const pending = outbox.submitWithFiles('POST', '/snaps', BODY, photos(), { kind: 'snap' })
    await vi.waitFor(() => expect(calls(fetch, '/snaps')).toHaveLength(1))
    await outbox.flush()
    release()
    expect((await pending).sent).toBe(true)
    expect(calls(fetch, '/snaps')).toHaveLength(1)
    expect(calls(fetch, '/cases/uploads')).toHaveLength(2)
  })
})
