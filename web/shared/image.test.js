import { afterEach, describe, expect, it, vi } from 'vitest'
import { PHOTO_MAX_BYTES, encodeWithin, fitWithin, shrinkImage, shrinkPhoto } from './image.js'

describe('fitWithin', () => {
  it('scales the longer side down to maxSide and keeps the aspect ratio', () => {
    expect(fitWithin(4000, 3000, 1280)).toEqual({ width: 1280, height: 960 })
    expect(fitWithin(3000, 4000, 1280)).toEqual({ width: 960, height: 1280 })
    expect(fitWithin(4032, 3024, 1280)).toEqual({ width: 1280, height: 960 })
  })
  it('rounds to whole pixels', () => {
    expect(fitWithin(1921, 1081, 1280)).toEqual({ width: 1280, height: 720 })
    expect(fitWithin(3000, 1001, 1000)).toEqual({ width: 1000, height: 334 })
  })
  it('never enlarges a small image', () => {
    expect(fitWithin(800, 600, 1280)).toEqual({ width: 800, height: 600 })
    expect(fitWithin(1280, 1280, 1280)).toEqual({ width: 1280, height: 1280 })
  })
  it('keeps at least one pixel on a very thin image', () => {
    expect(fitWithin(100000, 10, 1280)).toEqual({ width: 1280, height: 1 })
  })
  it('refuses an image without a size', () => {
    expect(() => fitWithin(0, 10, 1280)).toThrow(RangeError)
  })
})

describe('shrinkImage', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('draws the decoded image at the fitted size and encodes a JPEG at the given quality', async () => {
    const bitmap = { width: 4000, height: 3000, close: vi.fn() }
    vi.stubGlobal('createImageBitmap', vi.fn(async () => bitmap))
    const drawn = []
    const canvas = {
      getContext: () => ({ fillRect() {}, drawImage: (...a) => drawn.push(a) }),
      toBlob: (cb, type, quality) => cb(new Blob(['x'], { type: `${type};q=${quality}` })),
    }
    vi.spyOn(document, 'createElement').mockReturnValueOnce(canvas)
    const blob = await shrinkImage(new Blob(['raw']), { maxSide: 1280, quality: 0.7 })
    expect([canvas.width, canvas.height]).toEqual([1280, 960])
    expect(drawn).toEqual([[bitmap, 0, 0, 1280, 960]])
    expect(blob.type).toBe('image/jpeg;q=0.7')
    expect(bitmap.close).toHaveBeenCalled()
  })
})

// A fake JPEG encoder: the size falls with the quality and the pixel count, as a real one's roughly does.
function fakeEncoder(bytesPerPixelAt) {
  const calls = []
  const encode = async ({ width, height }, quality) => {
    calls.push([width, height, quality])
    return { size: Math.round(width * height * bytesPerPixelAt(quality)), type: 'image/jpeg' } // as a Blob is read
  }
  return { encode, calls }
}

describe('encodeWithin (the size/quality loop)', () => {
  it('keeps a photo that fits at the first quality, at 1600 pixels on its longer side', async () => {
    const { encode, calls } = fakeEncoder(() => 0.05) // 1600×1200×0.05 = 96 KB
    const blob = await encodeWithin(encode, { width: 4032, height: 3024 })
    expect(calls).toEqual([[1600, 1200, 0.85]])
    expect(blob.size).toBeLessThanOrEqual(PHOTO_MAX_BYTES)
  })

  it('steps the quality down until the photo is at most 300 KB', async () => {
    const { encode, calls } = fakeEncoder((q) => q * 0.3) // 0.85 → 490 KB, 0.75 → 432 KB, 0.65 → 374 KB, 0.55 → 317 KB, 0.45 → 259 KB
    const blob = await encodeWithin(encode, { width: 3024, height: 4032 })
    expect(calls.map((c) => c[2])).toEqual([0.85, 0.75, 0.65, 0.55, 0.45])
    expect(calls.every(([w, h]) => w === 1200 && h === 1600)).toBe(true)
    expect(blob.size).toBeLessThanOrEqual(300 * 1024)
    expect(blob.size).toBeGreaterThan(250 * 1024)
  })

  it('makes a photo smaller still when even the lowest quality is too large', async () => {
    const { encode, calls } = fakeEncoder(() => 0.25) // 1600×1200 → 480 KB at any quality; 1200×900 → 270 KB
    const blob = await encodeWithin(encode, { width: 4000, height: 3000 })
    expect(calls.at(-1)).toEqual([1200, 900, 0.85])
    expect(calls).toHaveLength(7) // six qualities at 1600, then the first at 1200
    expect(blob.size).toBeLessThanOrEqual(PHOTO_MAX_BYTES)
  })

  it('never enlarges a small picture and gives up below 480 pixels', async () => {
    const small = fakeEncoder(() => 0.1)
    await encodeWithin(small.encode, { width: 800, height: 600 })
    expect(small.calls).toEqual([[800, 600, 0.85]])
    const hopeless = fakeEncoder(() => 10)
    await expect(encodeWithin(hopeless.encode, { width: 4000, height: 3000 })).rejects.toThrow(RangeError)
    expect(Math.min(...hopeless.calls.map(([w, h]) => Math.max(w, h)))).toBe(480)
  })
})

describe('shrinkPhoto', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('draws the photo at the fitted size on a white ground and encodes JPEGs until one fits', async () => {
    const bitmap = { width: 4032, height: 3024, close: vi.fn() }
    vi.stubGlobal('createImageBitmap', vi.fn(async () => bitmap))
    const drawn = []
    const qualities = []
    const canvas = {
      width: 300,
      height: 150,
      getContext: () => ({ fillRect() {}, drawImage: (...a) => drawn.push(a) }),
      toBlob(cb, type, quality) {
        qualities.push(quality)
        const size = quality > 0.7 ? 400 * 1024 : 200 * 1024 // too large at 0.85 and 0.75
        cb(new Blob([new Uint8Array(size)], { type }))
      },
    }
    vi.spyOn(document, 'createElement').mockReturnValueOnce(canvas)
    const blob = await shrinkPhoto(new Blob(['raw']))
    expect(blob.type).toBe('image/jpeg')
    expect(blob.size).toBe(200 * 1024)
    expect(qualities).toEqual([0.85, 0.75, 0.65])
    expect(drawn[0]).toEqual([bitmap, 0, 0, 1600, 1200])
    expect(bitmap.close).toHaveBeenCalled()
    expect([canvas.width, canvas.height]).toEqual([0, 0]) // the pixels are let go
  })
})
