// 视频面试 on the phone: the API of the rooms (my interviews, one room, the host's admission of the guest) and the
// small sums the pages show (the window of an online room, a countdown).
import { api } from '@shared/api.js'

const enc = encodeURIComponent

export const loadMine = () => api.get('/interviews/mine')
export const loadRoom = (id) => api.get(`/interviews/${enc(id)}`)
/** The host admits the guest with the text of the guest's QR (scanned, pasted or typed). */
export const admitGuest = (id, code) => api.post(`/interviews/${enc(id)}/admit`, { code: String(code).trim() })

/**
 * The guest's address of an onsite interview: the room does not carry it, the application that made it does
 * (GET /recruitment/applications/mine, `interview.id` = the room). null when not found.
 */
export async function findAddress(roomId) {
  const page = await api.get('/recruitment/applications/mine?limit=50')
  return page?.items?.find((a) => a.interview?.id === roomId)?.interview?.address ?? null
}

/** Where an online room stands at `now` (ms): before (with the ms left until it opens), open, or over. */
export function windowOf(room, now = Date.now()) {
  const opens = Date.parse(room.opens_at)
  const closes = Date.parse(room.closes_at)
  if (now < opens) return { phase: 'before', left: opens - now }
  if (now > closes) return { phase: 'over', left: 0 }
  return { phase: 'open', left: 0 }
}

/** A countdown: whole days and the rest as hh:mm:ss ({days: 2, hms: "03:04:05"}). */
export function countdown(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000))
  const days = Math.floor(s / 86400)
  const pad = (n) => String(n).padStart(2, '0')
  const hms = `${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`
  return { days, hms }
}
