// Files go straight to S3 with a presigned POST form from the API ({url, fields, key, max_bytes}): every field of the
// form, then the file last (S3 reads the fields up to the file). S3 answers errors in XML.
// (The console's spreadsheet import has its own copy in console/src/imports/upload.js; both do the same.)

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
