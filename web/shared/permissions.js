// What the signed-in person may do, as /api/me says: `permissions` maps each permission they hold to the places of
// their grants that hold it ('*' everywhere; not only the topmost: a village admin who is also a grid worker there
// has both the village and the grid). The server already leaves out the permissions of modules the county
// switched off, so "may I" is one look-up here; the rules of who holds what live on the server only.
// A `me` without `permissions` (none yet, or an older copy kept on a phone) holds nothing until /me reloads.
import { within } from './placeCodes.js'

/** The places where `me` holds `permission` (a new array; [] when none). */
export function placesOf(me, permission) {
  const places = me?.permissions?.[permission]
  return Array.isArray(places) ? places.filter((p) => typeof p === 'string') : []
}

/** Does `me` hold `permission` somewhere, or, with `place`, at that place (at or below one of its places)? */
export function holds(me, permission, place) {
  const places = placesOf(me, permission)
  return place == null ? places.length > 0 : places.some((scope) => within(place, scope))
}

/** The topmost of those places (where a person's tree of places starts). */
export function rootsOf(me, permission) {
  const places = placesOf(me, permission)
  return places.filter((p) => !places.some((q) => q !== p && within(p, q))).sort()
}
