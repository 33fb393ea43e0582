// Uploads in parts straight to S3 through presigned URLs (core/multipart.py on the server), shared by the video
// résumé (app/src/recruitment/videoUpload.js) and 专题授课's video upload (console/src/lectures/):
//   POST <base> {…} → {upload_id, part_size, parts_count, parts: [{number, url}], done: []}; PUT each part's slice
//   to its URL and keep the ETag (quotes and all); on a failure GET <base>/{id} (what S3 has: `done`, and fresh URLs
//   for the missing `parts`) and PUT only those; then POST <base>/{id}/complete {parts: [{number, etag}]} with every
//   part 1..n in order.
import { api, NetworkError, newIdempotencyKey } from './api.js'

export class PartFailed extends Error {
  constructor(number, status) {
    super(`part ${number}: ${status}`)
    this.number = number
    this.status = status
  }
}

/** ETags by part number from the server's `done` list plus the ones this browser sent (the browser's win). */
export function mergeEtags(done, etags) {
  const out = {}
  for (const d of done || []) out[d.number] = d.etag
  return { ...out, ...(etags || {}) }
}

/** The body of …/complete: every part 1..n in order with its ETag; throws if one has none. */
export function completeBody(partsCount, etags) {
  const parts = []
  for (let n = 1; n <= partsCount; n++) {
    if (!etags[n]) throw new Error(`part ${n} has no ETag`)
    parts.push({ number: n, etag: etags[n] })
  }
  return { parts }
}

/**
 * PUT each of `parts` ([{number, url}]) with its slice of `blob`, `concurrency` at a time (in number order);
 * `etags` (by number) is filled as they succeed and `onPart(etags)` is called after each (to keep them). A refused
 * or lost PUT throws PartFailed (after the PUTs already under way have ended).
 */
export async function sendParts(blob, partSize, parts, etags, { fetchFn = globalThis.fetch, onPart, concurrency = 1 } = {}) {
  const queue = [...parts].sort((a, b) => a.number - b.number)
  let failure = null
  async function worker() {
    while (queue.length && !failure) {
      const { number, url } = queue.shift()
      let r
      try {
        r = await fetchFn(url, { method: 'PUT', body: blob.slice((number - 1) * partSize, number * partSize) })
      } catch {
        failure ||= new PartFailed(number, 'network')
        return
      }
      const etag = r.ok ? r.headers.get('ETag') : null
      if (!etag) {
        failure ||= new PartFailed(number, r.status)
        return
      }
      etags[number] = etag
      await onPart?.(etags)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker))
  if (failure) throw failure
  return etags
}

/** Bytes the server has or this browser sent, out of the blob's size (for the progress bar). */
export function sentBytes(size, partSize, partsCount, etags) {
  let bytes = 0
  for (let n = 1; n <= partsCount; n++) {
    if (etags[n]) bytes += Math.min(partSize, size - (n - 1) * partSize)
  }
  return bytes
}

/** GET the upload: the ETags S3 has (kept with ours) and fresh URLs for the parts it does not have. */
export async function freshParts(base, job, client = api) {
  const up = await client.get(`${base}/${encodeURIComponent(job.upload_id)}`)
  const have = new Set((up.done || []).map((d) => d.number))
  // A part we think we sent but S3 does not have is sent again.
  for (const n of Object.keys(job.etags)) if (!have.has(Number(n))) delete job.etags[n]
  job.etags = mergeEtags(up.done, job.etags)
  if (up.part_size) Object.assign(job, { part_size: up.part_size, parts_count: up.parts_count })
  return up.parts || []
}

/**
 * Upload `job.blob` in parts under `base`; returns what …/complete answers. `startBody` is the body of the POST that
 * starts the upload. `job` may be a kept one ({upload_id, part_size, parts_count, etags}) to carry on with (only the
 * missing parts are sent). `store.save(job)` keeps the job after each step, `store.clear()` once done.
 * `onProgress(fraction, bytes)`. Up to `attempts` rounds of sending: after a failure, GET the upload (what S3 has)
 * and send only the missing parts. `concurrency` parts are sent at once.
 */
export async function uploadParts(job, { base, startBody, fetchFn = globalThis.fetch, store = null, onProgress,
  attempts = 4, concurrency = 1, client = api, wait = (ms) => new Promise((r) => setTimeout(r, ms)) } = {}) {
  const { blob } = job
  job.etags = job.etags || {}
  const progress = () => {
    const bytes = sentBytes(blob.size, job.part_size, job.parts_count, job.etags)
    onProgress?.(blob.size ? bytes / blob.size : 0, bytes)
  }
  let parts
  if (!job.upload_id) {
    job.key = job.key || newIdempotencyKey()
    const up = await client.post(base, startBody, { idempotencyKey: job.key })
    Object.assign(job, { upload_id: up.upload_id, part_size: up.part_size, parts_count: up.parts_count })
    job.etags = mergeEtags(up.done, {})
    parts = up.parts
    await store?.save(job)
  } else {
    parts = await freshParts(base, job, client)
  }
  progress()
  for (let round = 1; ; round++) {
    try {
      await sendParts(blob, job.part_size, parts, job.etags, { fetchFn, concurrency,
        onPart: async () => { progress(); await store?.save(job) } })
      if (Object.keys(job.etags).length < job.parts_count) {
        parts = await freshParts(base, job, client) // more than 100 parts: the next URLs
        if (parts.length) continue
      }
      const out = await client.post(`${base}/${encodeURIComponent(job.upload_id)}/complete`,
        completeBody(job.parts_count, job.etags), { idempotencyKey: `complete-${job.upload_id}` })
      await store?.clear()
      onProgress?.(1, blob.size)
      return out
    } catch (e) {
      const mismatch = e?.code === 'part_mismatch' || e?.code === 'parts_incomplete'
      if (!(e instanceof PartFailed) && !mismatch && !(e instanceof NetworkError)) throw e
      if (round >= attempts) throw e
      if (mismatch) job.etags = {} // trust only what S3 says it has
      await wait(Math.min(8000, 1000 * 2 ** (round - 1)))
      parts = await freshParts(base, job, client)
      progress()
    }
  }
}
