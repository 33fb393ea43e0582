// 网上代办's catalogue routes (chalicelib/errands/api.py) and its spreadsheet import: the file goes to S3 with the
// presigned form of POST /imports/uploads (kind "errands"; imports/upload.js), then POST /errands/import previews it
// (dry_run) and, once confirmed, writes it all or nothing.
import { api, newIdempotencyKey } from '@shared/api.js'
import { UploadError, postForm, safeFilename } from '../imports/upload.js'

/** GET /errands/items?all=true → {version, items: [Summary]} (switched-off items too). */
export function listItems() {
  return api.get('/errands/items?all=true')
}

/** GET /errands/items/{id} → Item. */
export function getItem(id) {
  return api.get(`/errands/items/${encodeURIComponent(id)}`)
}

/** POST /errands/items (Idempotency-Key) → Item. */
export function createItem(body, idempotencyKey) {
  return api.post('/errands/items', body, { idempotencyKey })
}

/** PUT /errands/items/{id} {…, version} → Item (409 version_conflict when someone saved meanwhile). */
export function updateItem(id, body) {
  return api.put(`/errands/items/${encodeURIComponent(id)}`, body)
}

/** One spreadsheet being imported: uploaded once, previewed, committed with one Idempotency-Key. */
export class ErrandsImport {
  constructor(file, { fetchImpl } = {}) {
    this.file = file
    this.key = null
    this.idempotencyKey = newIdempotencyKey()
    this.fetchImpl = fetchImpl || ((...a) => fetch(...a))
  }

  /** Upload (once) and preview → ImportOut {created, updated, unchanged, rows, issues}; onStage('uploading' | …). */
  async preview(onStage = () => {}) {
    if (!this.key) {
      onStage('uploading')
      const form = await api.post('/imports/uploads', { kind: 'errands', filename: safeFilename(this.file.name, 'errands') })
      if (form.max_bytes && this.file.size > form.max_bytes) throw new UploadError(413, '')
      await postForm(form, this.file, this.fetchImpl)
      this.key = form.key
    }
    onStage('previewing')
    return api.post('/errands/import', { key: this.key, dry_run: true })
  }

  /** Write it (all or nothing) → ImportOut. */
  async commit(onStage = () => {}) {
    onStage('importing')
    return api.post('/errands/import', { key: this.key, dry_run: false }, { idempotencyKey: this.idempotencyKey })
  }
}
