// @vitest-environment node
// WCAG 2.1 AA for the pass and scan screens' own colours (pass.css), and their touch targets.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contrast, ruleColour, rulePixels } from '../common/contrast.js'

const css = readFileSync(new URL('./pass.css', import.meta.url), 'utf8')
const colour = (selector, prop) => ruleColour(css, selector, prop)
const WHITE = '#ffffff'
const PAGE = '#f5f6f8'

describe('pass and scan colours', () => {
  it.each([
    ['通行', colour('.scan-result', 'color'), colour('.scan-result--pass', 'background'), 4.5],
    ['禁止通行', colour('.scan-result', 'color'), colour('.scan-result--stop', 'background'), 4.5],
    ['无效通行码', colour('.scan-result', 'color'), colour('.scan-result--invalid', 'background'), 4.5],
    ['member choice border', colour('.pass-choice__face', 'border'), WHITE, 3],
    ['member choice text', colour('.pass-choice__face', 'color'), colour('.pass-choice__face', 'background'), 4.5],
    ['member chosen', colour('.pass-choice input:checked + .pass-choice__face', 'color'), colour('.pass-choice input:checked + .pass-choice__face', 'background'), 4.5],
    ['relation', colour('.pass-choice__face small', 'color'), WHITE, 4.5],
    ['household address', colour('.pass-whose__address', 'color'), PAGE, 4.5],
    ['pass tag', colour('.scan-tag--pass', 'color'), colour('.scan-tag--pass', 'background'), 4.5],
    ['stop tag', colour('.scan-tag--stop', 'color'), colour('.scan-tag--stop', 'background'), 4.5],
    ['invalid tag', colour('.scan-tag--invalid', 'color'), colour('.scan-tag--invalid', 'background'), 4.5],
    ['log reasons', colour('.scan-log__why', 'color'), WHITE, 4.5],
    ['photo button', colour('.scan-photo', 'color'), colour('.scan-photo', 'background'), 4.5],
    ['manual field border', colour('.scan-manual input', 'border'), WHITE, 3],
    ['manual field placeholder', colour('.scan-manual input::placeholder', 'color'), WHITE, 4.5],
    ['可通行', colour('.pass-verdict--pass', 'color'), colour('.pass-verdict--pass', 'background'), 4.5],
    ['卡口将不予通行', colour('.pass-verdict--stop', 'color'), colour('.pass-verdict--stop', 'background'), 4.5],
    ['status unknown', colour('.pass-verdict--unknown', 'color'), colour('.pass-verdict--unknown', 'background'), 4.5],
    ['status unknown border', colour('.pass-verdict--unknown', 'border'), WHITE, 3],
    ['offline tag on green', colour('.pass-verdict__stale', 'color'), colour('.pass-verdict__stale', 'background'), 4.5],
    ['offline tag on red', colour('.pass-verdict__stale', 'background'), colour('.pass-verdict--stop', 'background'), 3],
    ['offline tag, unknown', colour('.pass-verdict--unknown .pass-verdict__stale', 'color'), colour('.pass-verdict--unknown .pass-verdict__stale', 'background'), 4.5],
    ['short code', colour('.pass-short__code', 'color'), WHITE, 4.5],
    ['short code label', colour('.pass-short__label', 'color'), WHITE, 4.5],
  ])('%s', (_, fg, bg, min) => {
    expect(fg && bg).toBeTruthy()
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(min)
  })

  it('keeps the member choices and the scan buttons at least 56px tall (64px in elder mode)', () => {
    expect(rulePixels(css, '.pass-choice__face', 'min-height')).toBeGreaterThanOrEqual(56)
    expect(rulePixels(css, 'html.elder .pass-choice__face', 'min-height')).toBeGreaterThanOrEqual(64)
    expect(rulePixels(css, '.scan-next .van-button, .scan-actions .van-button, .scan-photo', 'min-height')).toBeGreaterThanOrEqual(56)
    expect(
      rulePixels(css, 'html.elder .scan-next .van-button, html.elder .scan-actions .van-button, html.elder .scan-photo', 'min-height'),
    ).toBeGreaterThanOrEqual(64)
  })
})
