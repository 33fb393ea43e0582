import { afterEach, describe, expect, it, vi } from 'vitest'
import { fitWithin, shrinkImage } from './image.js'

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
