import { describe, expect, it } from 'vitest'
import { qrImageSrc } from './qr.js'

describe('qrImageSrc', () => {
  it('turns inline SVG into a scalable image URL', () => {
    const src = qrImageSrc('<svg width="132" height="132" class="segno"><path d="M4 4.5h7"/></svg>')
    expect(src.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true)
    const svg = decodeURIComponent(src.split(',')[1])
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"')
    expect(svg).toContain('viewBox="0 0 132 132"')
    expect(svg).toContain('<path d="M4 4.5h7"/>')
  })
  it('keeps a viewBox and namespace that are already there', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9" width="9" height="9"></svg>'
    expect(decodeURIComponent(qrImageSrc(svg).split(',')[1])).toBe(svg)
  })
})
