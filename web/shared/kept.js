// What a phone keeps for the person signed in (localStorage): offline copies of passes, households, today's report
// and the outbox. Each copy names its owner (county and user), so one person never sees another's copy on a shared
// phone; a copy that cannot be read or written only costs the offline copy.
import { session } from './api.js'

/** "county:user" of the session, or null when nobody is signed in to a county. */
export function owner() {
  const s = session.load()
  return s?.tenant && s?.user_id ? `${s.tenant}:${s.user_id}` : null
}

/** The object stored under `key` for the signed-in person, or null (someone else's, none, or unreadable). */
export function readMine(key) {
  try {
    const stored = JSON.parse(localStorage.getItem(key))
    return stored && typeof stored === 'object' && stored.owner === owner() ? stored : null
  } catch {
    return null
  }
}

/** Store `value` (an object) under `key` for the signed-in person. */
export function writeMine(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify({ ...value, owner: owner() }))
  } catch {
    // a full storage only costs the offline copy
  }
}
