// A spreadsheet import: the file goes straight to S3 with a presigned POST form; the API previews what it would do
// (new / changed / unchanged / errors); then the commit writes it, all or nothing. `ImportJob` remembers what is
// done, so a retry after a network failure repeats only what failed and the commit reuses its Idempotency-Key.
import { api, newIdempotencyKey } from '@shared/api.js'

export const ALLOWED = /\.(xlsx|csv)$/i

export class UploadError extends Error {
  /** status 0: the browser could not reach the storage service (offline, or blocked by CORS). */
  constructor(status, message) {
    super(message || `upload ${status}`)
    this.status = status
    this.network = status === 0
  }
}

export function safeFilename(name, kind) {
  const ext = (name.match(ALLOWED)?.[1] || 'csv').toLowerCase()
  if (/^[^/\\]+\.(xlsx|csv)$/i.test(name) && name.length >= 5 && name.length <= 120) return name
  return `${kind}.${ext}`
}

/** S3 answers errors in XML: <Error><Code>…</Code><Message>…</Message></Error>. */
function s3Message(text) {
  const m = /<Message>([^<]*)<\/Message>/.exec(text || '')
  return m ? m[1] : ''
}

export async function postForm(form, file, fetchImpl = fetch) {
  const body = new FormData()
  for (const [k, v] of Object.entries(form.fields || {})) body.append(k, v)
  body.append('file', file) // S3 wants the file last
  let r
  try {
    r = await fetchImpl(form.url, { method: 'POST', body })
  } catch {
    throw new UploadError(0)
  }
  if (!r.ok) throw new UploadError(r.status, s3Message(await r.text().catch(() => '')))
}

export class ImportJob {
  constructor(kind, file, { fetchImpl } = {}) {
    this.kind = kind
    this.file = file
    this.key = null // the uploaded object's key, once uploaded
    this.idempotencyKey = newIdempotencyKey() // of the commit
    this.fetchImpl = fetchImpl || ((...a) => fetch(...a))
  }

  /** Upload the file (once), then ask what it would do; onStage('uploading' | 'previewing'). Resolves with the
   *  ImportPreview: {counts, items, errors, warnings, plan, can_commit}. Nothing is written yet. */
  async preview(onStage = () => {}) {
    if (!this.key) {
      onStage('uploading')
      const form = await api.post('/imports/uploads', { kind: this.kind, filename: safeFilename(this.file.name, this.kind) })
      if (this.file.size > form.max_bytes) throw new UploadError(413, '')
      await postForm(form, this.file, this.fetchImpl)
      this.key = form.key
    }
    onStage('previewing')
    return api.post('/imports/preview', { kind: this.kind, key: this.key })
  }

  /** Write what the preview showed (409 import_stale if the file or the records changed since). A retry reuses the
   *  same Idempotency-Key. Resolves with the ImportResult. */
  async commit(plan, onStage = () => {}) {
    onStage('importing')
    return api.post('/imports', { kind: this.kind, key: this.key, plan }, { idempotencyKey: this.idempotencyKey })
  }
}
