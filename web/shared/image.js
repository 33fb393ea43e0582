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
