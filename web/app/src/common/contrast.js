// WCAG 2.1 contrast of two #rrggbb colours, and the colour a stylesheet gives a property in one rule: for the
// screens' CSS tests (text 4.5:1, borders and shapes of controls 3:1).
function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

/** The #rrggbb value of `prop` in the rule of `css` whose selector is exactly `selector`. */
export function ruleColour(css, selector, prop) {
  const rule = css.split('}').find((r) => r.split('{')[0].trim() === selector)
  const m = rule?.match(new RegExp(`(?:^|[;{\\s])${prop}:\\s*(?:\\d+px solid\\s+)?(#[0-9a-f]{6})`, 'i'))
  return m?.[1]
}

/** The number of pixels of `prop` in the rule whose selector is exactly `selector`. */
export function rulePixels(css, selector, prop) {
  const rule = css.split('}').find((r) => r.split('{')[0].trim() === selector)
  const m = rule?.match(new RegExp(`(?:^|[;{\\s])${prop}:\\s*(\\d+)px`, 'i'))
  return m ? Number(m[1]) : undefined
}
