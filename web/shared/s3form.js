// Files go straight to S3 with a presigned POST form from the API ({url, fields, key, max_bytes}): every field of the
// form, then the file last (S3 reads the fields up to the file). S3 answers errors in XML.
// (The console's spreadsheet import has its own copy in console/src/imports/upload.js; both do the same.)
import { api, ApiError, NetworkError } from './api.js'

export class UploadError extends Error {
  /** status 0: the browser could not reach the storage service (offline, or blocked by CORS). */
  constructor(status, message) {
    super(message || `upload ${status}`)
    this.status = status
    this.network = status === 0
  }
}

/** S3's <Error><Code>…</Code><Message>…</Message></Error>, as its message. */
export function s3Message(text) {
  const m = /<Message>([^<]*)<\/Message>/.exec(text || '')
  return m ? m[1] : ''
}

/** POST `file` to S3 with the presigned `form`. Resolves when stored; rejects with UploadError. */
export async function postForm(form, file, fetchImpl = (...a) => fetch(...a), filename = 'file') {
  const body = new FormData()
  for (const [k, v] of Object.entries(form.fields || {})) body.append(k, v)
  body.append('file', file, filename) // S3 wants the file last
  let r
  try {
    r = await fetchImpl(form.url, { method: 'POST', body })
  } catch {
    throw new UploadError(0)
  }
  if (!r.ok) throw new UploadError(r.status, s3Message(await r.text().catch(() => '')))
}

const EXT = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' }

/**
 * Upload one photo (a Blob) the way every module does: ask `path` of the API for a presigned form (`request`: the
 * body, e.g. {type, content_type}), refuse it on the phone when larger than the form allows, then POST it to S3.
 * Resolves with its key. No signal, S3 unreachable or busy: a NetworkError (try again later); a refusal: an ApiError
 * whose message is `messages.tooLarge`, or `messages.refused(e)` (default: S3's own words).
 */
export async function uploadPhotoTo(path, request, blob, { fetchImpl, messages = {} } = {}) {
  const refused = (code, message, status = 422) => new ApiError(status, { code, message })
  const form = await api.post(path, request)
  if (blob.size > form.max_bytes) throw refused('photo_too_large', messages.tooLarge || '照片太大')
  try {
    await postForm(form, blob, fetchImpl, `photo.${EXT[request.content_type] || 'jpg'}`)
  } catch (e) {
    if (!(e instanceof UploadError)) throw e
    if (e.network || e.status >= 500) throw new NetworkError(e)
    throw refused('upload_refused', messages.refused ? messages.refused(e) : e.message, e.status)
  }
  return form.key
}
