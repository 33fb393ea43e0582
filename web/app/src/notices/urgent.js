// The urgent notices I have not acknowledged, for the banner on every screen (UrgentBanner.vue). They come with the
// home's one answer (GET /home → parts.notices.urgent: no request of their own) and are kept on the phone, per
// person, so a screen opened straight from a link shows the banner too. Reading a notice (its page, or 知道了)
// takes it out here at once, so every screen agrees without asking the server again.
import { reactive } from 'vue'
import { api, session } from '@shared/api.js'

const KEY = 'cqt.notices.urgent'
const DONE_MAX = 50 // the notices acknowledged here, remembered so that a late home answer cannot bring one back

const me = () => session.load()?.user_id ?? null

function stored() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY))
    const user = me()
    return s && user && s.user === user ? s : {}
  } catch {
    return {}
  }
}
const kept = () => (Array.isArray(stored().items) ? stored().items : [])
const keptDone = () => (Array.isArray(stored().done) ? stored().done : [])

/** {user, items, done}: whose they are (the banner shows them only to that person), the notices, and the ids
 * acknowledged on this phone. */
export const urgent = reactive({ user: me(), items: kept(), done: keptDone() })

/** The items, if they are the signed-in person's (another may have signed in on this phone since). */
export function mine() {
  return urgent.user && urgent.user === me() ? urgent.items : []
}

function save() {
  urgent.user = me()
  if (urgent.user) {
    localStorage.setItem(KEY, JSON.stringify({ user: urgent.user, items: urgent.items, done: urgent.done }))
  }
}

/** The home's answer: `parts.notices.urgent` ([{id, title, publish_at, from_name}]), or [] when absent. */
export function keepUrgent(items) {
  if (urgent.user !== me()) reloadUrgent()
  const done = new Set(urgent.done)
  urgent.items = Array.isArray(items) ? items.filter((n) => n && n.id && !done.has(n.id)) : []
  save()
}

/** Another person signed in on this phone: show nothing of the last one's. */
export function reloadUrgent() {
  urgent.user = me()
  urgent.items = kept()
  urgent.done = keptDone()
}

/** `id` was read or acknowledged: it leaves the banner everywhere. */
export function acknowledged(id) {
  if (urgent.user !== me()) reloadUrgent()
  if (urgent.done.includes(id) && !urgent.items.some((n) => n.id === id)) return
  urgent.items = urgent.items.filter((n) => n.id !== id)
  urgent.done = [...urgent.done.filter((d) => d !== id), id].slice(-DONE_MAX)
  save()
}

/** POST /notices/{id}/read (idempotent; it also takes the notice off the server's banner). `urgent`: it is one
 * of the banner's (the others are not remembered). */
export async function markRead(id, { urgent: isUrgent = true } = {}) {
  if (isUrgent) acknowledged(id)
  await api.post(`/notices/${encodeURIComponent(id)}/read`)
}

const REFRESH_MS = 5 * 60 * 1000
let refreshedAt = 0

/** For landing pages that do not open the home (grid work, the checkpoint's scanner): GET /notices/urgent, at most
 * once in 5 minutes on this page load. Failures are quiet: the banner keeps what it had. */
export async function refreshUrgent({ force = false } = {}) {
  if (!force && Date.now() - refreshedAt < REFRESH_MS) return
  refreshedAt = Date.now()
  try {
    const r = await api.get('/notices/urgent')
    keepUrgent(r?.urgent)
  } catch {
    refreshedAt = 0
  }
}
