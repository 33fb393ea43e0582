// @vitest-environment node
// WCAG 2.1 AA for the letter screens' own colours (letter.css), and the size of the "write to" choices.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contrast, ruleColour, rulePixels } from '../common/contrast.js'

const css = readFileSync(new URL('./letter.css', import.meta.url), 'utf8')
const colour = (selector, prop) => ruleColour(css, selector, prop)
const WHITE = '#ffffff'
const THEIRS = colour('.thread__message--theirs .thread__bubble', 'background')
const MINE = colour('.thread__message--mine .thread__bubble', 'background')

describe('letter colours', () => {
  it.each([
    ['promise', colour('.letter-promise', 'color'), colour('.letter-promise', 'background'), 4.5],
    ['promise border', colour('.letter-promise', 'border-left'), WHITE, 3],
    ['staff words', colour('.thread__message--theirs .thread__bubble', 'color'), THEIRS, 4.5],
    ['my words', colour('.thread__message--mine .thread__bubble', 'color'), MINE, 4.5],
    ['who', colour('.card .thread__who', 'color'), WHITE, 4.5],
    ['who (staff)', colour('.thread__message--theirs .thread__who', 'color'), WHITE, 4.5],
    ['tag (staff)', colour('.card .thread__tag', 'color'), THEIRS, 4.5],
    ['tag (mine)', colour('.thread__message--mine .thread__tag', 'color'), MINE, 4.5],
    ['stars', colour('.thread__stars', 'color'), MINE, 4.5],
    ['when', colour('.card .thread__when', 'color'), WHITE, 4.5],
    ['notice', colour('.card .thread__notice p', 'color'), WHITE, 4.5],
    ['notice words', colour('.card .thread__notice .thread__notice-note', 'color'), colour('.card .thread__notice .thread__notice-note', 'background'), 4.5],
  ])('%s', (_, fg, bg, min) => {
    expect(fg && bg).toBeTruthy()
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(min)
  })

  it('keeps the two "write to" choices large, larger in elder mode', () => {
    expect(rulePixels(css, '.letter-to .case-choice__face', 'min-height')).toBeGreaterThanOrEqual(72)
    expect(rulePixels(css, 'html.elder .letter-to .case-choice__face', 'min-height')).toBeGreaterThanOrEqual(80)
  })
})
