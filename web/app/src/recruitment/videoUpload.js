// 视频简历: record on the phone (getUserMedia + MediaRecorder, front camera, at most 120 s) and upload in parts
// straight to S3 through presigned URLs, so that a weak signal resumes instead of starting over:
//   POST /recruitment/profile/video/uploads {content_type, size, seconds} → {upload_id, part_size, parts: [{number,
//   url}], done: []}; PUT each part's slice to its URL and keep the ETag (quotes and all); on a failure GET
//   …/uploads/{id} (what S3 has: `done`, and fresh URLs for the missing `parts`) and PUT only those; then POST
//   …/complete {parts: [{number, etag}]} with every part 1..n in order.
// The parts are sent by web/shared/multipart.js (shared with 专题授课's upload). The upload in progress (its id, the
// blob and the ETags so far) is kept in IndexedDB, so that reopening the page after the app was closed can carry on
// (pendingStore); without IndexedDB it lives as long as the page.
import { api } from '@shared/api.js'
import { completeBody, mergeEtags, PartFailed, sendParts, sentBytes, uploadParts } from '@shared/multipart.js'

export { completeBody, mergeEtags, PartFailed, sendParts, sentBytes }

export const MAX_SECONDS = 120
const BASE = '/recruitment/profile/video/uploads'

/** The type the server takes: `video/webm;codecs=vp8,opus` → `video/webm`. */
export const baseType = (type) => String(type || '').split(';')[0].trim() || 'video/webm'

/** The first recording type this browser supports (webm on Android/Chromium, mp4 on iOS Safari), or ''. */
export function pickMimeType(Recorder = globalThis.MediaRecorder) {
  const wanted = ['video/webm;codecs=vp8,opus', 'video/webm', 'video/mp4']
  if (!Recorder?.isTypeSupported) return ''
  return wanted.find((t) => Recorder.isTypeSupported(t)) || ''
}

/**
 * Upload `job.blob` (a recording of `job.seconds`) as the video résumé; returns the server's Video.
 * `job` may be a kept one ({upload_id, part_size, parts_count, etags}) to carry on with. `store.save(job)` keeps the
 * job after each step, `store.clear()` once done. `onProgress(fraction)`. Up to `attempts` rounds of sending: after
 * a failure, GET the upload (what S3 has) and send only the missing parts (web/shared/multipart.js).
 */
export function uploadVideo(job, options = {}) {
  const { blob } = job
  return uploadParts(job, { ...options, base: BASE,
    startBody: { content_type: baseType(blob.type), size: blob.size, seconds: job.seconds } })
}

/** Where the upload in progress is kept: IndexedDB (blob and all), else this page's memory. */
export function pendingStore(owner, idb = globalThis.indexedDB) {
  const key = `video:${owner}`
  let memory = null
  if (!idb) {
    return {
      persistent: false,
      load: async () => memory,
      save: async (job) => { memory = { ...job, etags: { ...job.etags } } },
      clear: async () => { memory = null },
    }
  }
  const open = () => new Promise((resolve, reject) => {
    const req = idb.open('cqt-recruit', 1)
    req.onupgradeneeded = () => req.result.createObjectStore('pending')
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
  const run = async (mode, fn) => {
    const db = await open()
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction('pending', mode)
        const req = fn(tx.objectStore('pending'))
        tx.oncomplete = () => resolve(req.result)
        tx.onerror = () => reject(tx.error)
        tx.onabort = () => reject(tx.error)
      })
    } finally {
      db.close()
    }
  }
  // The blob is written once per recording (it may be 60 MB); the ETags after each part.
  const plain = (job) => ({ upload_id: job.upload_id, key: job.key, part_size: job.part_size,
    parts_count: job.parts_count, seconds: job.seconds, etags: { ...job.etags } })
  let savedBlob = null
  return {
    persistent: true,
    load: async () => {
      try {
        const [meta, blob] = await Promise.all([run('readonly', (s) => s.get(key)), run('readonly', (s) => s.get(`${key}:blob`))])
        if (!meta || !blob) return null
        savedBlob = blob
        return { ...meta, blob }
      } catch {
        return null
      }
    },
    save: async (job) => {
      try {
        if (job.blob !== savedBlob) {
          await run('readwrite', (s) => s.put(job.blob, `${key}:blob`))
          savedBlob = job.blob
        }
        await run('readwrite', (s) => s.put(plain(job), key))
      } catch {
        // no room, or private mode: the upload still goes on, only not across a reopening
      }
    },
    clear: async () => {
      savedBlob = null
      await run('readwrite', (s) => { s.delete(`${key}:blob`); return s.delete(key) }).catch(() => {})
    },
  }
}

/** Forget a kept upload on the server too (DELETE …/uploads/{id}: its parts are freed); errors are ignored. */
export async function abandon(job, store, client = api) {
  if (job?.upload_id) await client.del(`${BASE}/${encodeURIComponent(job.upload_id)}`).catch(() => {})
  await store?.clear()
}

/**
 * A recorder on the front camera: `start(videoEl)` shows the camera in `videoEl` and records; it stops by itself at
 * `max` seconds. `onTick(seconds)` every quarter second; `stop()` resolves the recording {blob, seconds}.
 */
export function createRecorder({ max = MAX_SECONDS, onTick, media = globalThis.navigator?.mediaDevices,
  Recorder = globalThis.MediaRecorder, now = () => Date.now() } = {}) {
  let stream = null
  let rec = null
  let timer = null
  let startedAt = 0
  let finished = null
  const chunks = []

  function release() {
    clearInterval(timer)
    timer = null
    for (const track of stream?.getTracks() || []) track.stop()
    stream = null
  }

  async function start(videoEl) {
    if (!media?.getUserMedia || !Recorder) throw new Error('unsupported')
    stream = await media.getUserMedia({ video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } },
      audio: true })
    if (videoEl) {
      videoEl.srcObject = stream
      videoEl.muted = true
      videoEl.play?.().catch(() => {})
    }
    const mimeType = pickMimeType(Recorder)
    try {
      rec = new Recorder(stream, mimeType ? { mimeType, videoBitsPerSecond: 1_000_000 } : undefined)
    } catch (e) {
      release() // the camera's light goes off
      throw e
    }
    chunks.length = 0
    finished = new Promise((resolve, reject) => {
      rec.ondataavailable = (e) => e.data?.size && chunks.push(e.data)
      rec.onstop = () => {
        const seconds = Math.min(max, Math.max(1, Math.round((now() - startedAt) / 1000)))
        const type = rec.mimeType || mimeType || chunks[0]?.type || 'video/webm'
        release()
        resolve({ blob: new Blob(chunks, { type }), seconds })
      }
      rec.onerror = (e) => {
        release()
        reject(e.error || e)
      }
    })
    startedAt = now()
    rec.start(1000)
    timer = setInterval(() => {
      const s = (now() - startedAt) / 1000
      onTick?.(Math.min(max, s))
      if (s >= max) stop()
    }, 250)
  }

  function stop() {
    clearInterval(timer)
    timer = null
    if (rec && rec.state !== 'inactive') rec.stop()
    return finished
  }

  function cancel() {
    if (rec && rec.state !== 'inactive') {
      rec.onstop = null
      rec.stop()
    }
    release()
  }

  return { start, stop, cancel, get recording() { return rec?.state === 'recording' } }
}
