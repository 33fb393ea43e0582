// Photos are shrunk on the phone before upload: a 12-megapixel photo becomes a ~200 KB JPEG, which matters on a
// weak signal and a small data plan. Re-encoding also drops the EXIF block (GPS position, device) — personal data
// the server does not need.

/** The size that fits `width`×`height` within `maxSide` on its longer side, keeping the aspect ratio.
 *  Never enlarges; never returns a side below 1 pixel. */
export function fitWithin(width, height, maxSide) {
  if (!(width > 0 && height > 0)) throw new RangeError('image has no size')
  const scale = Math.min(1, maxSide / Math.max(width, height))
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  }
}

async function decode(file) {
  if (globalThis.createImageBitmap) return createImageBitmap(file, { imageOrientation: 'from-image' })
  const url = URL.createObjectURL(file)
  try {
    const img = new Image()
    img.src = url
    await img.decode()
    return img
  } finally {
    URL.revokeObjectURL(url)
  }
}

/** A JPEG Blob of `file` (an image File/Blob) at most `maxSide` pixels on its longer side. */
export async function shrinkImage(file, { maxSide = 1280, quality = 0.8 } = {}) {
  const source = await decode(file)
  const { width, height } = fitWithin(source.width, source.height, maxSide)
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const ctx = canvas.getContext('2d')
  ctx.fillStyle = '#fff' // transparent PNG areas would turn black in a JPEG
  ctx.fillRect(0, 0, width, height)
  ctx.drawImage(source, 0, 0, width, height)
  source.close?.()
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('encode failed'))), 'image/jpeg', quality)
  })
}

// --- case photos (随手拍 and the "after" photos of a resolved case) ---------------------------------------------------
// The server takes photos of at most 300 KB (POST /cases/uploads). A phone photo is shrunk to at most 1600 pixels on
// its longer side, then encoded at a falling JPEG quality until it fits; a photo still too large at the lowest
// quality (fine detail, noise) is made smaller still.

export const PHOTO_MAX_SIDE = 1600
export const PHOTO_MAX_BYTES = 300 * 1024
export const PHOTO_QUALITIES = [0.85, 0.75, 0.65, 0.55, 0.45, 0.35]
const MIN_SIDE = 480 // below this a photo no longer shows what is wrong

/**
 * The size/quality loop, without a canvas: `encode({width, height}, quality)` returns a Blob (a promise of one).
 * Tries each quality at the fitted size, largest first; if none fits in `maxBytes`, shrinks the longer side by a
 * quarter and tries again, down to 480 pixels. Resolves with the first Blob that fits; rejects with a RangeError when
 * none does.
 */
export async function encodeWithin(encode, { width, height, maxSide = PHOTO_MAX_SIDE, maxBytes = PHOTO_MAX_BYTES,
  qualities = PHOTO_QUALITIES } = {}) {
  let side = Math.max(1, Math.min(maxSide, Math.max(width, height)))
  for (;;) {
    const size = fitWithin(width, height, side)
    for (const quality of qualities) {
      const blob = await encode(size, quality)
      if (blob && blob.size <= maxBytes) return blob
    }
    if (side <= MIN_SIDE) throw new RangeError('photo does not fit')
    side = Math.max(MIN_SIDE, Math.round(side * 0.75))
  }
}

/** A JPEG Blob of the image `file` within 1600 pixels and 300 KB (see encodeWithin), EXIF (GPS) dropped. */
export async function shrinkPhoto(file, options = {}) {
  const source = await decode(file)
  const canvas = document.createElement('canvas')
  const encode = ({ width, height }, quality) => {
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width
      canvas.height = height
    }
    const ctx = canvas.getContext('2d')
    ctx.fillStyle = '#fff'
    ctx.fillRect(0, 0, width, height)
    ctx.drawImage(source, 0, 0, width, height)
    return new Promise((resolve, reject) => {
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('encode failed'))), 'image/jpeg', quality)
    })
  }
  try {
    return await encodeWithin(encode, { width: source.width, height: source.height, ...options })
  } finally {
    source.close?.()
    canvas.width = 0 // let the phone free the pixels at once
    canvas.height = 0
  }
}
