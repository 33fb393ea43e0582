// Draws the app icons (a white house on 村情通 red) as PNGs with node's zlib only:
//   node app/scripts/make-icons.mjs   (from web/) -> app/public/icon-192.png, icon-512.png
// The house sits inside the central 60% so the icons also work as "maskable" (cropped to a circle).
import { deflateSync } from 'node:zlib'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const RED = [0xc8, 0x16, 0x1d]
const WHITE = [0xff, 0xff, 0xff]
// The house in a 0..1 square: roof triangle, body, door (cut out).
const ROOF = [[0.5, 0.22], [0.8, 0.48], [0.2, 0.48]]
const BODY = [0.27, 0.46, 0.73, 0.78]
const DOOR = [0.44, 0.6, 0.56, 0.78]

const inRect = (x, y, [x0, y0, x1, y1]) => x >= x0 && x <= x1 && y >= y0 && y <= y1
function inTriangle(x, y, [a, b, c]) {
  const s = (p, q) => (x - q[0]) * (p[1] - q[1]) - (p[0] - q[0]) * (y - q[1])
  const d1 = s(a, b), d2 = s(b, c), d3 = s(c, a)
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0))
}
const isWhite = (x, y) => (inTriangle(x, y, ROOF) || inRect(x, y, BODY)) && !inRect(x, y, DOOR)

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

function png(size) {
  const SS = 4 // 4x4 supersampling for smooth edges
  const raw = Buffer.alloc(size * (1 + size * 3))
  for (let y = 0; y < size; y++) {
    raw[y * (1 + size * 3)] = 0 // filter: none
    for (let x = 0; x < size; x++) {
      let white = 0
      for (let i = 0; i < SS; i++)
        for (let j = 0; j < SS; j++) white += isWhite((x + (i + 0.5) / SS) / size, (y + (j + 0.5) / SS) / size)
      const a = white / (SS * SS)
      for (let ch = 0; ch < 3; ch++) raw[y * (1 + size * 3) + 1 + x * 3 + ch] = Math.round(RED[ch] * (1 - a) + WHITE[ch] * a)
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

for (const size of [192, 512]) {
  const path = fileURLToPath(new URL(`../public/icon-${size}.png`, import.meta.url))
  writeFileSync(path, png(size))
  console.log(path)
}
