// The phone app's first load, compressed: what a phone downloads before it can show the sign-in page (and, for
// someone already signed in, the home page): index.html, the entry chunk and what it imports statically, the
// route's chunk with its imports, and their CSS. Budget: 150 KB gzipped.
//   npm run build:app && node app/scripts/initial-size.mjs
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const BUDGET = 150 * 1024
const dist = fileURLToPath(new URL('../../dist/', import.meta.url))
const manifest = JSON.parse(readFileSync(`${dist}.vite/manifest.json`, 'utf8'))

function closure(keys, files = new Set()) {
  for (const key of keys) {
    const chunk = manifest[key]
    if (!chunk || files.has(chunk.file)) continue
    files.add(chunk.file)
    for (const css of chunk.css ?? []) files.add(css)
    closure(chunk.imports ?? [], files)
  }
  return files
}

const gz = (file) => gzipSync(readFileSync(dist + file), { level: 9 }).length
const entry = Object.keys(manifest).find((k) => manifest[k].isEntry)
let failed = false
for (const route of ['src/auth/SignInPage.vue', 'src/home/HomePage.vue']) {
  const files = ['index.html', 'registerSW.js', ...closure([entry, route])]
  const sizes = files.map((f) => [f, gz(f)]).sort((a, b) => b[1] - a[1])
  const total = sizes.reduce((n, [, s]) => n + s, 0)
  console.log(`\n${route}: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`)
  for (const [f, s] of sizes) console.log(`  ${(s / 1024).toFixed(1).padStart(6)} KB  ${f}`)
  failed ||= total > BUDGET
}
process.exit(failed ? 1 : 0)
