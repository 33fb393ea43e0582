// @vitest-environment node
// WCAG 2.1 AA for the case screens' own colours (case.css), and their touch targets.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contrast, ruleColour, rulePixels } from '../common/contrast.js'

const css = readFileSync(new URL('./case.css', import.meta.url), 'utf8')
const colour = (selector, prop) => ruleColour(css, selector, prop)
const WHITE = '#ffffff'
const PAGE = '#f5f6f8'
const CHOSEN = '.case-choice input:checked + .case-choice__face'

describe('case colours', () => {
  it.each([
    ['choice border', colour('.case-choice__face', 'border'), WHITE, 3],
    ['choice text', colour('.case-choice__face', 'color'), colour('.case-choice__face', 'background'), 4.5],
    ['choice hint', colour('.case-choice__hint', 'color'), WHITE, 4.5],
    ['choice chosen', colour(CHOSEN, 'color'), colour(CHOSEN, 'background'), 4.5],
    ['choice chosen hint', colour(`${CHOSEN} .case-choice__hint`, 'color'), colour(CHOSEN, 'background'), 4.5],
    ['error', colour('.case-error', 'color'), PAGE, 4.5],
    ['photo button border', colour('.photos__button', 'border'), WHITE, 3],
    ['photo button text', colour('.photos__button', 'color'), colour('.photos__button', 'background'), 4.5],
    ['photo remove', colour('.photos__remove', 'color'), colour('.photos__remove', 'background'), 4.5],
    ['photo count', colour('.photos__count', 'color'), PAGE, 4.5],
    ['photo error', colour('.photos__error', 'color'), PAGE, 4.5],
    ['SLA green', colour('.sla--green', 'color'), colour('.sla--green', 'background'), 4.5],
    ['SLA amber', colour('.sla--amber', 'color'), colour('.sla--amber', 'background'), 4.5],
    ['SLA red', colour('.sla--red', 'color'), colour('.sla--red', 'background'), 4.5],
    ['case type', colour('.case-card__type', 'color'), WHITE, 4.5],
    ['outcome', colour('.case-answer__outcome', 'color'), WHITE, 4.5],
    ['star', colour('.stars__star--on svg', 'fill'), WHITE, 3],
    ['star outline', colour('.stars__star svg', 'stroke'), WHITE, 3],
    ['rating words', colour('.rate-row__words', 'color'), WHITE, 4.5],
    ['board caption', colour('.board-item__photos figcaption', 'color'), WHITE, 4.5],
  ])('%s', (_, fg, bg, min) => {
    expect(fg && bg).toBeTruthy()
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(min)
  })

  it('keeps the choices and photo buttons large (larger in elder mode), and the stars at least 48px', () => {
    expect(rulePixels(css, '.case-choice__face', 'min-height')).toBeGreaterThanOrEqual(56)
    expect(rulePixels(css, 'html.elder .case-choice__face', 'min-height')).toBeGreaterThanOrEqual(64)
    expect(rulePixels(css, '.photos__button', 'min-height')).toBeGreaterThanOrEqual(56)
    expect(rulePixels(css, 'html.elder .photos__button', 'min-height')).toBeGreaterThanOrEqual(64)
    expect(rulePixels(css, '.stars__star', 'min-height')).toBeGreaterThanOrEqual(48)
    expect(rulePixels(css, 'html.elder .stars__star', 'min-height')).toBeGreaterThanOrEqual(56)
  })
})
