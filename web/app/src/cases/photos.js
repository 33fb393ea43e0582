// A photo on a form (随手拍, or the "after" photos of a resolved case): shrunk on the phone at once (≤ 1600 pixels,
// ≤ 300 KB, no EXIF), shown from an object URL, and its upload key once uploaded (so a retry does not upload it again).
import { shrinkPhoto } from '@shared/image.js'

let seq = 0

/** {uid, blob, url, key} of an image File; rejects when the file cannot be read as an image. */
export async function takePhoto(file, shrink = shrinkPhoto) {
  const blob = await shrink(file)
  return { uid: `p${++seq}`, blob, url: URL.createObjectURL?.(blob) ?? '', key: null }
}

/** A photo kept on the phone (an outbox item's), back on a form. */
export function keptPhoto(blob) {
  return { uid: `p${++seq}`, blob, url: URL.createObjectURL?.(blob) ?? '', key: null }
}

export function dropPhoto(photo) {
  if (photo?.url) URL.revokeObjectURL?.(photo.url)
}
