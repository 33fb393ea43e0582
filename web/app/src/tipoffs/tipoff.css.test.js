// @vitest-environment node
// WCAG 2.1 AA for the tip-off screens' own colours (tipoff.css), and their touch targets.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contrast, ruleColour, rulePixels } from '../common/contrast.js'

const css = readFileSync(new URL('./tipoff.css', import.meta.url), 'utf8')
const colour = (selector, prop) => ruleColour(css, selector, prop)
const WHITE = '#ffffff'
const PAGE = '#f5f6f8'
const CHOSEN = '.tipoff-category input:checked + .tipoff-category__face'

describe('tip-off colours', () => {
  it.each([
    ['category border', colour('.tipoff-category__face', 'border'), WHITE, 3],
    ['category text', colour('.tipoff-category__face', 'color'), colour('.tipoff-category__face', 'background'), 4.5],
    ['category hint', colour('.tipoff-category__hint', 'color'), WHITE, 4.5],
    ['category chosen', colour(CHOSEN, 'color'), colour(CHOSEN, 'background'), 4.5],
    ['category chosen hint', colour(`${CHOSEN} .tipoff-category__hint`, 'color'), colour(CHOSEN, 'background'), 4.5],
    ['error', colour('.tipoff-error', 'color'), PAGE, 4.5],
    ['where', colour('.tipoff-card__where', 'color'), WHITE, 4.5],
    ['outcome', colour('.tipoff-outcome__what', 'color'), colour('.tipoff-outcome', 'background'), 4.5],
    ['outcome time', colour('.tipoff-outcome .hint', 'color'), colour('.tipoff-outcome', 'background'), 4.5],
  ])('%s', (_, fg, bg, min) => {
    expect(fg && bg).toBeTruthy()
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(min)
  })

  it('keeps every category choice at least 64px tall (72px in elder mode)', () => {
    expect(rulePixels(css, '.tipoff-category__face', 'min-height')).toBeGreaterThanOrEqual(64)
    expect(rulePixels(css, 'html.elder .tipoff-category__face', 'min-height')).toBeGreaterThanOrEqual(72)
  })
})
