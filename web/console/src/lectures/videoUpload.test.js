// 上传视频 (console): the upload starts with the title, type, size and length; parts go 3 at a time; what is needed to
// carry on is kept in localStorage; carrying on with the same file sends only the parts S3 lacks.
import { afterEach, describe, expect, it } from 'vitest'
import { forgetUpload, keptUpload, sameFile, titleOf, uploadLecture } from './videoUpload.js'

const PART = 4
const file = () => new File(['0123456789'], '春耕第二讲.webm', { type: 'video/webm', lastModified: 1700000000000 })
const url = (n) => `https://s3.test/k?partNumber=${n}`

function fakeS3({ failAfter = Infinity } = {}) {
  const s3 = {}
  const puts = []
  let inFlight = 0
  let maxInFlight = 0
  const fetchFn = async (u, init) => {
    const n = Number(new URL(u).searchParams.get('partNumber'))
    puts.push(n)
    if (puts.length > failAfter) throw new TypeError('Failed to fetch')
    inFlight += 1
    maxInFlight = Math.max(maxInFlight, inFlight)
    await new Promise((r) => setTimeout(r, 5))
    inFlight -= 1
    s3[n] = `"e${n}-${init.body.size}"`
    return { ok: true, status: 200, headers: { get: (h) => (h === 'ETag' ? s3[n] : null) } }
  }
  const calls = []
  const shape = () => ({ upload_id: 'u1', size: 10, part_size: PART, parts_count: 3,
    done: Object.entries(s3).map(([n, etag]) => ({ number: Number(n), etag })),
    parts: [1, 2, 3].filter((n) => !s3[n]).map((n) => ({ number: n, url: url(n) })) })
  const client = {
    post: async (path, body) => {
      calls.push(['POST', path, body])
      if (path.endsWith('/complete')) return { id: 'v9', title: '春耕第二讲', status: 'ready' }
      return shape()
    },
    get: async (path) => {
      calls.push(['GET', path])
      return shape()
    },
  }
  return { s3, puts, calls, client, fetchFn, maxInFlight: () => maxInFlight }
}

afterEach(() => forgetUpload('c1'))

describe('专题授课: uploading a video in parts', () => {
  it('starts with title, type, size and length; sends parts in parallel; completes with every ETag in order', async () => {
    const s = fakeS3()
    const bytes = []
    const video = await uploadLecture('c1', file(), { title: '春耕第二讲', duration_s: 600, fetchFn: s.fetchFn,
      client: s.client, onProgress: (_, b) => bytes.push(b) })
    expect(video.id).toBe('v9')
    expect(s.calls[0]).toEqual(['POST', '/lectures/courses/c1/videos/uploads',
      { title: '春耕第二讲', content_type: 'video/webm', size: 10, duration_s: 600 }])
    expect(s.maxInFlight()).toBe(3)
    expect(s.calls.at(-1)).toEqual(['POST', '/lectures/courses/c1/videos/uploads/u1/complete',
      { parts: [1, 2, 3].map((n) => ({ number: n, etag: s.s3[n] })) }])
    expect(bytes.at(-1)).toBe(10)
    expect(keptUpload('c1')).toBeNull()
  })

  it('keeps what is needed to carry on; the same file re-picked sends only the missing parts', async () => {
    const s = fakeS3({ failAfter: 1 })
    await expect(uploadLecture('c1', file(), { title: '春耕第二讲', duration_s: 600, fetchFn: s.fetchFn,
      client: s.client, attempts: 1 })).rejects.toThrow('part')
    const kept = keptUpload('c1')
    expect(kept).toMatchObject({ upload_id: 'u1', name: '春耕第二讲.webm', size: 10, lastModified: 1700000000000,
      title: '春耕第二讲', duration_s: 600 })
    expect(Object.keys(s.s3)).toEqual(['1'])
    // the page reloaded: the person picks the same file again
    expect(sameFile(kept, file())).toBe(true)
    expect(sameFile(kept, new File(['x'], '春耕第二讲.webm', { type: 'video/webm', lastModified: 1700000000000 }))).toBe(false)
    const again = fakeS3()
    Object.assign(again.s3, s.s3)
    await uploadLecture('c1', file(), { title: kept.title, duration_s: kept.duration_s, kept, fetchFn: again.fetchFn,
      client: again.client })
    expect(again.calls[0]).toEqual(['GET', '/lectures/courses/c1/videos/uploads/u1'])
    expect(again.puts.sort()).toEqual([2, 3])
    expect(again.calls.at(-1)[2].parts.map((p) => p.number)).toEqual([1, 2, 3])
    expect(keptUpload('c1')).toBeNull()
  })

  it('suggests the file name without its extension as the title', () => {
    expect(titleOf('春耕第二讲.final.mp4')).toBe('春耕第二讲.final')
  })
})
