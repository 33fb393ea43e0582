// The routes of a 网上代办 application the console uses (chalicelib/errands/api.py), and the upload of a photo of
// the result document (POST /cases/uploads, then straight to S3 with the presigned form).
import { api, ApiError, NetworkError } from '@shared/api.js'
import { shrinkPhoto } from '@shared/image.js'
import { postForm, UploadError } from '@shared/s3form.js'

/** GET /errands/applications/{ref} → the application with its case (timeline) and the caller's `steps`. */
export function getApplication(ref) {
  return api.get(`/errands/applications/${encodeURIComponent(ref)}`)
}

/** POST /errands/applications/{ref}/actions {action, …} with an Idempotency-Key → the application as it now is. */
export function actOnApplication(ref, body, idempotencyKey) {
  return api.post(`/errands/applications/${encodeURIComponent(ref)}/actions`, body, { idempotencyKey })
}

/** A photo (File) of the result document: shrunk (≤ 1600 px, ≤ 300 KB, no EXIF) and uploaded; resolves its key.
 * Failures: ApiError (codes not_an_image, photo_too_large, upload_refused: the dialog words them) or NetworkError. */
export async function uploadResultPhoto(file, { shrink = shrinkPhoto, fetchImpl } = {}) {
  let blob
  try {
    blob = await shrink(file)
  } catch {
    throw new ApiError(422, { code: 'not_an_image' })
  }
  const form = await api.post('/cases/uploads', { type: 'errand', content_type: 'image/jpeg' })
  if (form.max_bytes && blob.size > form.max_bytes) throw new ApiError(422, { code: 'photo_too_large' })
  try {
    await postForm(form, blob, fetchImpl, 'photo.jpg')
  } catch (e) {
    if (!(e instanceof UploadError)) throw e
    if (e.network || e.status >= 500) throw new NetworkError(e)
    throw new ApiError(e.status, { code: 'upload_refused' })
  }
  return form.key
}
