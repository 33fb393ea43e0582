// 紧急招募令 on the phone (chalicelib/volunteers, docs in the API contract): my volunteering (skills, SMS), the open
// calls of my village, one call with my sign-up, and for an organiser the check-in / check-out of a scanned code.
// Times are UTC ISO in answers and shown in Asia/Shanghai.
import { api } from '@shared/api.js'
import { placesOf } from '@shared/permissions.js'

export const SKILLS = ['驾驶', '医护', '搬运', '其他']
export const ORGANISE = 'volunteers.organise'
const enc = encodeURIComponent

export const loadVolunteer = () => api.get('/volunteers/me')
export const saveVolunteer = (skills, sms) => api.put('/volunteers/me', { skills, sms })
export const leaveVolunteers = () => api.del('/volunteers/me')
export const loadCalls = (place, cursor = null) =>
  api.get(`/volunteers/calls?place=${enc(place)}&limit=50${cursor ? `&cursor=${enc(cursor)}` : ''}`)
export const loadCall = (id) => api.get(`/volunteers/calls/${enc(id)}`)
export const signUp = (id) => api.post(`/volunteers/calls/${enc(id)}/signups`)
export const cancelSignup = (id) => api.del(`/volunteers/calls/${enc(id)}/signups/mine`)
export const checkIn = (id, code) => api.post(`/volunteers/calls/${enc(id)}/checkins`, { code })
export const checkOut = (id, code) => api.post(`/volunteers/calls/${enc(id)}/checkouts`, { code })

/** The places where this person organises calls (their calls list on the phone), topmost first. */
export const organisePlaces = (me) => placesOf(me, ORGANISE).slice().sort((a, b) => a.length - b.length || a.localeCompare(b))

/** A call's time span as shown: "12月09日 08:00–12:00" (one day) or both ends in full, in Asia/Shanghai. */
export function spanText(startIso, endIso, locale = 'zh-CN') {
  if (!startIso) return ''
  const parts = (iso) => {
    const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit',
      day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso))
    const get = (type) => p.find((x) => x.type === type).value
    return { y: get('year'), m: get('month'), d: get('day'), time: `${get('hour')}:${get('minute')}` }
  }
  const a = parts(startIso)
  const b = endIso ? parts(endIso) : null
  const day = (x) => (locale.startsWith('zh') ? `${Number(x.m)}月${Number(x.d)}日` : `${x.m}-${x.d}`)
  if (!b) return `${day(a)} ${a.time}`
  if (a.y === b.y && a.m === b.m && a.d === b.d) return `${day(a)} ${a.time}–${b.time}`
  return `${day(a)} ${a.time} – ${day(b)} ${b.time}`
}

/** What my sign-up shows: {kind: none|confirmed|waiting|cancelled, position}. */
export function mineState(call) {
  const m = call?.mine
  if (!m || m.status === 'cancelled') return { kind: m ? 'cancelled' : 'none', position: null }
  return { kind: m.status, position: m.position ?? null }
}

/** Slots still free (never below 0). */
export const freeSlots = (call) => Math.max(0, (call?.slots ?? 0) - (call?.confirmed ?? 0))
