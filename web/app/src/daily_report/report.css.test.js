// @vitest-environment node
// WCAG 2.1 AA for the report screens' own colours (report.css): text 4.5:1, borders and shapes of controls 3:1.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const css = readFileSync(new URL('./report.css', import.meta.url), 'utf8')

function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

/** The value of `prop` in the rule whose selector is exactly `selector`. */
function colour(selector, prop) {
  const rule = css.split('}').find((r) => r.split('{')[0].trim() === selector)
  const m = rule?.match(new RegExp(`(?:^|[;{\\s])${prop}:\\s*(#[0-9a-f]{6})`, 'i'))
  return m?.[1]
}

const WHITE = '#ffffff'
const TEXT = '#1f2329'

describe('report colours', () => {
  it.each([
    ['green choice border', colour('.colour-option--green .colour-option__face', 'border-color'), WHITE, 3],
    ['yellow choice border', colour('.colour-option--yellow .colour-option__face', 'border-color'), WHITE, 3],
    ['red choice border', colour('.colour-option--red .colour-option__face', 'border-color'), WHITE, 3],
    ['green chosen', WHITE, colour('.colour-option--green input:checked + .colour-option__face', 'background'), 4.5],
    ['yellow chosen', TEXT, colour('.colour-option--yellow input:checked + .colour-option__face', 'background'), 4.5],
    ['red chosen', WHITE, colour('.colour-option--red input:checked + .colour-option__face', 'background'), 4.5],
    ['green badge', colour('.colour-badge--green', 'color'), colour('.colour-badge--green', 'background'), 4.5],
    ['yellow badge', colour('.colour-badge--yellow', 'color'), colour('.colour-badge--yellow', 'background'), 4.5],
    ['red badge', colour('.colour-badge--red', 'color'), colour('.colour-badge--red', 'background'), 4.5],
    ['error text', colour('.report-error', 'color'), WHITE, 4.5],
    ['reminded', colour('.remind__done', 'color'), WHITE, 4.5],
    ['no phone', colour('.remind__problem', 'color'), WHITE, 4.5],
  ])('%s', (_, fg, bg, min) => {
    expect(fg && bg).toBeTruthy()
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(min)
  })

  it('keeps every colour choice at least 56px tall (48px is the least for elder fingers)', () => {
    expect(Number(css.match(/\.colour-option__face \{[^}]*min-height: (\d+)px/)[1])).toBeGreaterThanOrEqual(56)
    expect(Number(css.match(/html\.elder \.colour-option__face \{[^}]*min-height: (\d+)px/)[1])).toBeGreaterThanOrEqual(64)
  })
})
