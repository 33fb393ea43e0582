// @vitest-environment node
// WCAG 2.1 AA for 在线申请's own colours (apply.css), and its touch targets.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contrast, ruleColour, rulePixels } from '../../common/contrast.js'

const css = readFileSync(new URL('./apply.css', import.meta.url), 'utf8')
const WHITE = '#ffffff'

describe('在线申请 colours and sizes', () => {
  it('says 办理时需出示原件 legibly on the card', () => {
    const fg = ruleColour(css, '.apply-original', 'color')
    expect(fg).toBeTruthy()
    expect(contrast(fg, WHITE)).toBeGreaterThanOrEqual(4.5)
  })

  it('keeps each choice of a field at least 44px tall', () => {
    expect(rulePixels(css, '.apply-choice', 'min-height')).toBeGreaterThanOrEqual(44)
  })

  it('draws the rating stars visibly (3:1 for graphics) on 48px targets, and the return reason legibly', () => {
    expect(contrast(ruleColour(css, '.application-star--on svg', 'fill'), WHITE)).toBeGreaterThanOrEqual(3)
    expect(contrast(ruleColour(css, '.application-star svg', 'stroke'), WHITE)).toBeGreaterThanOrEqual(3)
    expect(rulePixels(css, '.application-star', 'min-height')).toBeGreaterThanOrEqual(44)
    const reason = ruleColour(css, '.application-reason', 'color')
    expect(contrast(reason, ruleColour(css, '.application-reason', 'background'))).toBeGreaterThanOrEqual(4.5)
  })
})
