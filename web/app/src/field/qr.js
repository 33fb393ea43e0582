// The invite's QR code arrives as inline SVG markup (segno). Shown as an <img> it cannot run anything, and it gets
// an alt text; an SVG image needs its namespace, and a viewBox to scale to the size the page gives it.
export function qrImageSrc(svg) {
  let s = String(svg)
  const width = /\swidth="([\d.]+)"/.exec(s)?.[1]
  const height = /\sheight="([\d.]+)"/.exec(s)?.[1]
  if (!/\sviewBox=/.test(s) && width && height) s = s.replace('<svg', `<svg viewBox="0 0 ${width} ${height}"`)
  if (!/\sxmlns=/.test(s)) s = s.replace('<svg', '<svg xmlns="http://www.w3.org/2000/svg"')
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(s)}`
}
