// 党员联户 routes (chalicelib/party/api.py), and the staff and households of a place they are picked from.
import { api } from '@shared/api.js'

/** Every item of a cursor-paginated list (`path` has its query string; pages of 100). */
export async function everything(path) {
  const out = []
  let cursor = null
  do {
    const qs = new URLSearchParams({ limit: '100' })
    if (cursor) qs.set('cursor', cursor)
    const page = await api.get(`${path}&${qs}`)
    out.push(...page.items)
    cursor = page.next_cursor
  } while (cursor)
  return out
}

/** Party members placed at or below a place (GET /party-links/members: open to everyone who may link there,
 * grid workers included; items are shaped like the staff list's). */
export function partyMembersAt(place) {
  return everything(`/party-links/members?place=${encodeURIComponent(place)}`)
}

/** The households of a village or grid (GET /households). */
export function householdsAt(place) {
  return everything(`/households?place=${encodeURIComponent(place)}`)
}

/** GET /party-links?member= → {member, member_name, items: [{id, head_name, address, grid, reported_today}]} */
export function linksOf(member) {
  return api.get(`/party-links?${new URLSearchParams({ member })}`)
}

/** POST /party-links {member, households} → the member's households after the change (linking again moves). */
export function linkHouseholds(member, households) {
  return api.post('/party-links', { member, households })
}

/** DELETE /party-links/{hid}: the household has no party member afterwards. */
export function unlinkHousehold(hid) {
  return api.del(`/party-links/${encodeURIComponent(hid)}`)
}
