import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeFetch } from '../test-support.js'
import { baseType, completeBody, createRecorder, mergeEtags, pendingStore, pickMimeType, uploadVideo } from './videoUpload.js'

const PART = 4 // a tiny part size, so a 10-byte blob has 3 parts (4 + 4 + 2)
const blob = () => new Blob(['0123456789'], { type: 'video/webm;codecs=vp8,opus' })
const url = (n, round = 1) => `https://s3.test/bucket/key?partNumber=${n}&r=${round}`

/** A fake S3 + API: the server's view of which parts S3 holds; `failOnce` parts fail their first PUT. */
function fakeServer({ failOnce = [], count = 3 } = {}) {
  const s3 = {} // number -> {etag, text}
  const failed = new Set()
  let round = 0
  const partsLeft = () => {
    round += 1
    return Array.from({ length: count }, (_, i) => i + 1).filter((n) => !s3[n]).map((n) => ({ number: n, url: url(n, round) }))
  }
  const fetch = fakeFetch(async (req) => {
    if (req.path.startsWith('https://s3.test/')) {
      const n = Number(new URL(req.path).searchParams.get('partNumber'))
      if (failOnce.includes(n) && !failed.has(n)) {
        failed.add(n)
        throw new TypeError('Failed to fetch') // the signal drops
      }
      const text = await readText(req.body)
      s3[n] = { etag: `"etag-${n}-${text}"`, text }
      return { status: 200, headers: { ETag: s3[n].etag } }
    }
    if (req.method === 'POST' && req.path === '/recruitment/profile/video/uploads') {
      return { status: 201, body: { upload_id: 'up1', size: 10, part_size: PART, parts_count: count, done: [],
        parts: partsLeft(), missing: count } }
    }
    if (req.method === 'GET' && req.path === '/recruitment/profile/video/uploads/up1') {
      const done = Object.entries(s3).map(([n, p]) => ({ number: Number(n), etag: p.etag, size: p.text.length }))
      return { body: { upload_id: 'up1', size: 10, part_size: PART, parts_count: count, done, parts: partsLeft(),
        missing: count - done.length } }
    }
    if (req.method === 'POST' && req.path === '/recruitment/profile/video/uploads/up1/complete') {
      for (const p of req.body.parts) {
        if (s3[p.number]?.etag !== p.etag) return apiError(422, 'part_mismatch', '分片不一致')
      }
      return { body: { url: 'https://s3.test/video.webm', seconds: 5, content_type: 'video/webm', size: 10,
        uploaded_at: '2026-12-07T14:00:00Z' } }
    }
    return apiError(404, 'not_found', '没有')
  })
  return { fetch, s3, puts: () => fetch.requests().filter((r) => r.method === 'PUT').map((r) => r.path) }
}

const noWait = () => Promise.resolve()
function readText(b) {
  return new Promise((resolve) => {
    const r = new FileReader()
    r.onload = () => resolve(r.result)
    r.readAsText(b)
  })
}

describe('视频简历: the upload in parts', () => {
  beforeEach(() => {
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'v1' }))
  })
  afterEach(() => vi.unstubAllGlobals())

  it('starts with the type without codecs, the size and seconds; PUTs each slice; completes with every ETag in order', async () => {
    const server = fakeServer()
    const progress = []
    const video = await uploadVideo({ blob: blob(), seconds: 5 }, { onProgress: (f) => progress.push(f), wait: noWait })
    expect(video.url).toBe('https://s3.test/video.webm')
    const reqs = server.fetch.requests()
    const start = reqs[0]
    expect(start.body).toEqual({ content_type: 'video/webm', size: 10, seconds: 5 })
    expect(start.headers['Idempotency-Key']).toBeTruthy()
    expect(server.puts()).toEqual([url(1), url(2), url(3)])
    expect(Object.values(server.s3).map((p) => p.text)).toEqual(['0123', '4567', '89'])
    // the presigned PUTs carry no bearer token
    expect(reqs.filter((r) => r.method === 'PUT').every((r) => !r.headers?.Authorization)).toBe(true)
    const complete = reqs.at(-1)
    expect(complete.path).toBe('/recruitment/profile/video/uploads/up1/complete')
    expect(complete.body).toEqual({ parts: [1, 2, 3].map((n) => ({ number: n, etag: server.s3[n].etag })) })
    expect(complete.body.parts[0].etag).toMatch(/^".*"$/) // quotes kept as S3 gave them
    expect(progress.at(-1)).toBe(1)
    expect(progress).toContain(0.4) // after part 1 (4 of 10 bytes)
  })

  it('after a failed part asks the server what S3 has and sends only the missing parts', async () => {
    const server = fakeServer({ failOnce: [2] })
    const store = pendingStore('v1', null)
    const saved = vi.spyOn(store, 'save')
    await uploadVideo({ blob: blob(), seconds: 5 }, { store, wait: noWait })
    const reqs = server.fetch.requests().map((r) => `${r.method} ${r.path}`)
    expect(reqs).toEqual([
      'POST /recruitment/profile/video/uploads',
      `PUT ${url(1, 1)}`,
      `PUT ${url(2, 1)}`, // lost
      'GET /recruitment/profile/video/uploads/up1',
      `PUT ${url(2, 2)}`, // fresh URLs, part 1 not sent again
      `PUT ${url(3, 2)}`,
      'POST /recruitment/profile/video/uploads/up1/complete',
    ])
    // part 1's ETag (sent before the failure) is kept and sent with the others
    const complete = server.fetch.requests().at(-1).body
    expect(complete.parts.map((p) => p.number)).toEqual([1, 2, 3])
    expect(complete.parts[0].etag).toBe(server.s3[1].etag)
    expect(saved).toHaveBeenCalled()
    expect(await store.load()).toBeNull() // done: nothing kept
  })

  it('carries on a kept upload (page reopened): only the parts S3 lacks, with the kept ETags', async () => {
    const server = fakeServer()
    // part 1 and 3 reached S3 before the phone was closed
    server.s3[1] = { etag: '"etag-1-0123"', text: '0123' }
    server.s3[3] = { etag: '"etag-3-89"', text: '89' }
    const store = pendingStore('v1', null)
    const job = { blob: blob(), seconds: 5, upload_id: 'up1', part_size: PART, parts_count: 3, etags: { 1: '"etag-1-0123"' } }
    await store.save(job)
    const kept = await store.load()
    await uploadVideo(kept, { store, wait: noWait })
    expect(server.puts()).toEqual([url(2, 1)])
    expect(server.fetch.requests()[0].method).toBe('GET') // no new upload
    expect(server.fetch.requests().at(-1).body.parts).toEqual([
      { number: 1, etag: '"etag-1-0123"' }, { number: 2, etag: server.s3[2].etag }, { number: 3, etag: '"etag-3-89"' },
    ])
  })

  it('gives up after the attempts, keeping the job to carry on later', async () => {
    fakeFetch(async (req) => {
      if (req.path.startsWith('https://s3.test/')) throw new TypeError('Failed to fetch')
      if (req.method === 'POST') return { status: 201, body: { upload_id: 'up1', size: 10, part_size: PART, parts_count: 3, done: [], parts: [{ number: 1, url: url(1) }, { number: 2, url: url(2) }, { number: 3, url: url(3) }] } }
      return { body: { upload_id: 'up1', size: 10, part_size: PART, parts_count: 3, done: [], parts: [{ number: 1, url: url(1) }, { number: 2, url: url(2) }, { number: 3, url: url(3) }] } }
    })
    const store = pendingStore('v1', null)
    await expect(uploadVideo({ blob: blob(), seconds: 5 }, { store, attempts: 2, wait: noWait })).rejects.toThrow('part 1')
    expect((await store.load()).upload_id).toBe('up1')
  })

  it('shows a refusal of the start as it is (no retry)', async () => {
    const fetch = fakeFetch(() => apiError(422, 'validation_failed', '视频不能超过120秒'))
    await expect(uploadVideo({ blob: blob(), seconds: 5 }, { wait: noWait })).rejects.toThrow('视频不能超过120秒')
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('helpers: the type without codecs, ETags merged (ours win), a complete body needs every part', () => {
    expect(baseType('video/webm;codecs=vp8,opus')).toBe('video/webm')
    expect(baseType('video/mp4')).toBe('video/mp4')
    expect(mergeEtags([{ number: 1, etag: '"a"' }, { number: 2, etag: '"b"' }], { 2: '"B"' })).toEqual({ 1: '"a"', 2: '"B"' })
    expect(completeBody(2, { 2: '"b"', 1: '"a"' })).toEqual({ parts: [{ number: 1, etag: '"a"' }, { number: 2, etag: '"b"' }] })
    expect(() => completeBody(3, { 1: '"a"', 2: '"b"' })).toThrow('part 3')
    expect(pickMimeType({ isTypeSupported: (t) => t === 'video/mp4' })).toBe('video/mp4')
    expect(pickMimeType(undefined)).toBe('')
  })
})

describe('视频简历: the recorder', () => {
  it('records the front camera and stops by itself at the limit, with the seconds', async () => {
    vi.useFakeTimers()
    try {
      let t = 0
      const track = { stop: vi.fn() }
      const stream = { getTracks: () => [track] }
      const media = { getUserMedia: vi.fn(async () => stream) }
      class Rec {
        static isTypeSupported = (x) => x.startsWith('video/webm')
        constructor(s, opts) { this.state = 'inactive'; this.mimeType = opts.mimeType }
        start() { this.state = 'recording' }
        stop() { this.state = 'inactive'; this.ondataavailable({ data: new Blob(['x']) }); this.onstop() }
      }
      const ticks = []
      const r = createRecorder({ max: 3, media, Recorder: Rec, now: () => t, onTick: (s) => ticks.push(s) })
      const video = { play: () => Promise.resolve() }
      await r.start(video)
      expect(media.getUserMedia.mock.calls[0][0].video.facingMode).toBe('user')
      expect(video.srcObject).toBe(stream)
      expect(r.recording).toBe(true)
      t = 3100
      vi.advanceTimersByTime(300)
      expect(r.recording).toBe(false)
      const { blob: b, seconds } = await r.stop()
      expect(seconds).toBe(3)
      expect(b.type).toBe('video/webm;codecs=vp8,opus')
      expect(track.stop).toHaveBeenCalled()
      expect(ticks.at(-1)).toBe(3)
    } finally {
      vi.useRealTimers()
    }
  })
})
