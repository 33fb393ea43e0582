// @vitest-environment node
// WCAG 2.1 AA: the theme's text colours reach 4.5:1 on their backgrounds, control colours 3:1 (SC 1.4.3, 1.4.11).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const css = readFileSync(new URL('./theme.css', import.meta.url), 'utf8')
const vars = Object.fromEntries([...css.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6})\b/gi)].map(([, k, v]) => [k, v]))

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

const WHITE = '#ffffff'
const PAGE = vars['--cqt-bg']

describe('theme contrast', () => {
  it.each([
    ['text on page', vars['--cqt-text'], PAGE, 4.5],
    ['secondary text on page', vars['--cqt-text-2'], PAGE, 4.5],
    ['secondary text on cards', vars['--cqt-text-2'], WHITE, 4.5],
    ['placeholders', vars['--van-text-color-3'], WHITE, 4.5],
    ['red (links, buttons, errors) on white', vars['--cqt-red'], WHITE, 4.5],
    ['white on red (bar, primary buttons)', WHITE, vars['--cqt-red'], 4.5],
    ['success tag', vars['--van-success-color'], WHITE, 4.5],
    ['warning tag', vars['--van-warning-color'], WHITE, 4.5],
    ['white on warning tag', WHITE, vars['--van-warning-color'], 4.5],
    ['switch track (off) on white', vars['--van-switch-background'], WHITE, 3],
    ['error text on its panel', '#8a1016', '#fdecec', 4.5],
    ['offline banner', WHITE, '#3c3c3c', 4.5],
    ['focus ring on white', '#1a56db', WHITE, 3],
  ])('%s', (_, fg, bg, min) => {
    expect(fg && bg).toBeTruthy()
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(min)
  })
})
