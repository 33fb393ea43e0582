// Save a file the server links to (a presigned S3 GET) under its own name: fetched as a blob, so that a same-origin
// object URL keeps `download`; when the storage does not let the page read it, the link itself (the browser
// downloads a workbook rather than show it). Used by the console's workbook exports.
export async function download(url, filename) {
  let href = url
  let blob = null
  try {
    const r = await fetch(url)
    if (r.ok) {
      blob = await r.blob()
      href = URL.createObjectURL(blob)
    }
  } catch {
    // cross-origin reads refused: fall back to the link
  }
  const a = document.createElement('a')
  a.href = href
  a.download = filename
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  if (blob) setTimeout(() => URL.revokeObjectURL(href), 60_000)
}
