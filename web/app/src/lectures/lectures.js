// 专题授课 on the phone (chalicelib/lectures): the published courses, a course with my progress per video, a video
// with its sources and my position, the progress heartbeat, and the comments under a video.
import { api, apiUrl, newIdempotencyKey } from '@shared/api.js'

const enc = encodeURIComponent
export const HEARTBEAT_MS = 30_000

export const loadCourses = (cursor = null) =>
  api.get(`/lectures/courses?status=published&limit=50${cursor ? `&cursor=${enc(cursor)}` : ''}`)
export const loadCourse = (cid) => api.get(`/lectures/courses/${enc(cid)}`)
export const loadVideo = (vid) => api.get(`/lectures/videos/${enc(vid)}`)
export const sendProgress = (vid, position_s, ranges) =>
  api.put(`/lectures/videos/${enc(vid)}/progress`, { position_s, ranges })
export const loadComments = (vid, cursor = null) =>
  api.get(`/lectures/videos/${enc(vid)}/comments?limit=50${cursor ? `&cursor=${enc(cursor)}` : ''}`)
export const postComment = (vid, text, replyTo = null, key = newIdempotencyKey()) =>
  api.post(`/lectures/videos/${enc(vid)}/comments`, replyTo ? { text, reply_to: replyTo } : { text },
    { idempotencyKey: key })

/** A TimeRanges (video.played) as [[start, end], …] rounded to 0.1 s. */
export const rangesOf = (tr) => Array.from({ length: tr?.length || 0 }, (_, i) =>
  [Math.round(tr.start(i) * 10) / 10, Math.round(tr.end(i) * 10) / 10])

/**
 * What was played since the last heartbeat: the parts of `now` (rangesOf(video.played), which only grows) not
 * already in `before`; pieces shorter than 0.5 s are dropped. At most 50 ranges (the server's limit).
 */
export function newlyPlayed(now, before) {
  const out = []
  for (const [s, e] of now) {
    let pieces = [[s, e]]
    for (const [bs, be] of before) {
      pieces = pieces.flatMap(([ps, pe]) => {
        if (be <= ps || bs >= pe) return [[ps, pe]]
        return [[ps, bs], [be, pe]].filter(([a, b]) => b > a)
      })
    }
    out.push(...pieces.filter(([a, b]) => b - a >= 0.5))
  }
  return out.slice(-50)
}

/** The HLS master playlist's URL (the server names a path under the API), or null when there is none. */
export const hlsUrl = (v) => (v?.sources?.hls ? apiUrl(v.sources.hls) : null)

/** The browser plays HLS itself (Safari, iOS)? Else hls.js is loaded for an `hls` source. */
export const nativeHls = (video) => !!video?.canPlayType?.('application/vnd.apple.mpegurl')

/** "12:05" from seconds. */
export const clock = (s) => {
  const n = Math.max(0, Math.round(s || 0))
  const h = Math.floor(n / 3600)
  const mm = String(Math.floor((n % 3600) / 60)).padStart(h ? 2 : 1, '0')
  return `${h ? `${h}:` : ''}${mm}:${String(n % 60).padStart(2, '0')}`
}
