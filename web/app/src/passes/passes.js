// 我的通行码 on the phone: issuing and revoking a member's pass, what the checkpoint would answer for it now, and the
// last pass of each member kept on the phone so it shows without a signal until it expires (the checkpoint's scan
// needs the network, the holder's phone need not). Kept per signed-in person, in localStorage: the code (it names
// no person), its short code, its QR image, the member's name and the last verdict with the time it was checked.
import { api } from '@shared/api.js'
import { readMine, writeMine } from '@shared/kept.js'

const KEY = 'cqt.passes'

function read() {
  const stored = readMine(KEY)
  if (stored?.items && typeof stored.items === 'object') return stored
  return { items: {}, last: null }
}

function write(stored) {
  writeMine(KEY, stored)
}

/** A phone number as the server shows it to most (138****5678), to compare a full number with a masked one. */
export function masked(phone) {
  const p = String(phone ?? '').trim()
  if (!p) return ''
  return /^\d{11}$/.test(p) ? `${p.slice(0, 3)}****${p.slice(-4)}` : p
}

/** Seconds until `expiresAt` (ISO), never below 0. */
export function secondsLeft(expiresAt, now = Date.now()) {
  const t = Date.parse(expiresAt)
  return Number.isFinite(t) ? Math.max(0, Math.ceil((t - now) / 1000)) : 0
}

/** "23:59:08" for a countdown of seconds. */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds))
  const pad = (n) => String(n).padStart(2, '0')
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`
}

/** The member's pass kept on the phone, while it is still valid (expired ones are forgotten). */
export function keptPass(member, now = Date.now()) {
  const stored = read()
  const p = stored.items[member]
  if (!p) return null
  if (secondsLeft(p.expires_at, now) > 0) return p
  delete stored.items[member]
  write(stored)
  return null
}

/** Every valid pass kept on the phone (to show the members whose household cannot be loaded without a signal). */
export function keptPasses(now = Date.now()) {
  return Object.values(read().items).filter((p) => secondsLeft(p.expires_at, now) > 0)
}

export function keepPass(p) {
  const stored = read()
  const now = Date.now()
  for (const [m, x] of Object.entries(stored.items)) if (secondsLeft(x.expires_at, now) <= 0) delete stored.items[m]
  stored.items[p.member] = {
    id: p.id, code: p.code, short_code: p.short_code ?? null, qr_svg: p.qr_svg, member: p.member,
    member_name: p.member_name, household: p.household, expires_at: p.expires_at, verdict: p.verdict ?? null,
  }
  write(stored)
}

/** Keep the latest verdict (and short code) of a member's kept pass, if that pass is still the one kept. */
export function keepStatus(member, status) {
  const stored = read()
  const p = stored.items[member]
  if (!p || p.id !== status.id) return
  p.verdict = status.verdict
  if (status.short_code) p.short_code = status.short_code
  write(stored)
}

export function forgetPass(member) {
  const stored = read()
  delete stored.items[member]
  write(stored)
}

/** The member whose pass was shown last ({household, member}), to open on it next time. */
export function lastChoice() {
  return read().last
}

export function rememberChoice(household, member) {
  const stored = read()
  stored.last = { household, member }
  write(stored)
}

/** POST /passes: a new pass for the member (the member's previous pass is revoked by the server). */
export function issuePass(household, member, idempotencyKey) {
  return api.post('/passes', { household, member }, { idempotencyKey })
}

/** GET /passes/{id}/status: what the checkpoint would answer now ({id, short_code, expires_at, verdict}). */
export function passStatus(id) {
  return api.get(`/passes/${encodeURIComponent(id)}/status`)
}

/** "7KQ4M2XD" → "7KQ4 M2XD": read out and typed in two groups of four. */
export function groupShort(code) {
  const c = String(code ?? '')
  return c.length === 8 ? `${c.slice(0, 4)} ${c.slice(4)}` : c
}

export function revokePass(id) {
  return api.post(`/passes/${encodeURIComponent(id)}/revoke`)
}
