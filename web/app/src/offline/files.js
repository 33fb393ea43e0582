// Photos to S3 (loaded only when something has photos to send): ask the API for a presigned form (POST /cases/uploads),
// then POST the photo to S3 with it. Errors come out as the outbox and the screens know them: no signal (or S3
// unreachable, or busy) is a NetworkError — try again later; a refusal is an ApiError with a message in words.
import { ApiError } from '@shared/api.js'
import { uploadPhotoTo } from '@shared/s3form.js'
import { i18n } from '../i18n/index.js'
import { getBlob } from './blobs.js'

function refused(code, key, status = 422) {
  return new ApiError(status, { code, message: i18n.global.t(key) })
}

/** Upload one photo (a Blob) of a case of `type`; resolves with its key. */
export function uploadPhoto(blob, type, contentType = 'image/jpeg', { fetchImpl } = {}) {
  return uploadPhotoTo('/cases/uploads', { type, content_type: contentType }, blob, {
    fetchImpl,
    messages: { tooLarge: i18n.global.t('photos.tooLarge'), refused: () => i18n.global.t('photos.uploadRefused') },
  })
}

/**
 * Upload the files of an outbox item that have no key yet, in order, calling save() after each, so that a retry
 * (after no signal, or the app being closed) does not upload them again. A photo no longer on the phone (the
 * browser cleared its storage) is a refusal: it has to be taken again.
 */
export async function uploadFiles(item, save = () => {}) {
  for (const f of item.files) {
    if (f.key) continue
    const blob = await getBlob(f.id)
    if (!blob) throw refused('photo_lost', 'photos.lost')
    f.key = await uploadPhoto(blob, f.type, f.content_type)
    save()
  }
}
