// 扫码核验 for checkpoint staff: checking a code with the server, the answer as the screen shows it, and the names
// of the villages the checkpoint has seen (the scan log names a village by its code only).
import { ApiError, api } from '@shared/api.js'
import { holds, placesOf } from '@shared/permissions.js'

/** The server's refusals of a code (422): forged, expired, revoked, another county's, an unknown short code, not a
 * pass at all. */
export const REFUSALS = [
  'pass_invalid', 'pass_forged', 'pass_expired', 'pass_revoked', 'pass_other_county', 'pass_code_unknown',
]
const NAMES = 'cqt.scan.villages'

/** The checkpoints (villages) this person keeps: where /api/me says they may scan, named from their grants. */
export function checkpoints(me) {
  const name = (place) => (me?.grants ?? []).find((g) => g.place === place && g.place_name)?.place_name || place
  return placesOf(me, 'passes.scan').map((place) => ({ place, name: name(place) }))
}

export const isCheckpointStaff = (me) => holds(me, 'passes.scan')

/**
 * Check a code at a checkpoint. Resolves {kind: 'pass'|'stop', ...the server's answer} or, for a code the server
 * refuses, {kind: 'invalid', code, message}; rejects on anything else (no signal, no permission, ...).
 */
export async function checkCode(code, checkpoint) {
  const body = { code: String(code).trim() }
  if (checkpoint) body.checkpoint = checkpoint
  try {
    const r = await api.post('/passes/scan', body)
    if (r.holder?.village && r.holder.village_name) rememberVillage(r.holder.village, r.holder.village_name)
    return { kind: r.result, ...r }
  } catch (e) {
    if (e instanceof ApiError && e.status === 422 && REFUSALS.includes(e.code)) {
      return { kind: 'invalid', code: e.code, message: e.message }
    }
    throw e
  }
}

/** A short feel of the answer where the phone can: one long buzz to pass, three short ones to stop. */
export function signal(kind) {
  try {
    navigator.vibrate?.(kind === 'pass' ? 200 : [120, 80, 120, 80, 120])
  } catch {
    // no vibration on this phone
  }
  try {
    const Ctx = window.AudioContext || window.webkitAudioContext
    if (!Ctx) return
    const ctx = new Ctx()
    const tone = ctx.createOscillator()
    const gain = ctx.createGain()
    tone.frequency.value = kind === 'pass' ? 880 : 220
    gain.gain.value = 0.15
    tone.connect(gain).connect(ctx.destination)
    tone.start()
    tone.stop(ctx.currentTime + (kind === 'pass' ? 0.15 : 0.45))
    tone.onended = () => ctx.close()
  } catch {
    // no sound: the screen says it
  }
}

function names() {
  try {
    return JSON.parse(localStorage.getItem(NAMES)) || {}
  } catch {
    return {}
  }
}

function rememberVillage(code, name) {
  const all = names()
  if (all[code] === name) return
  all[code] = name
  try {
    localStorage.setItem(NAMES, JSON.stringify(all))
  } catch {
    // the log then shows the code
  }
}

/** A village's name as the checkpoint has seen it (from a scan or its own grants), else its code. */
export function villageName(code, me = null) {
  if (!code) return ''
  const own = (me?.grants ?? []).find((g) => g.place === code && g.place_name)
  return own?.place_name || names()[code] || code
}
