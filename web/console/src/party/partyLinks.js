// Pure helpers of the 党员联户 page.

export const MAX_PER_MEMBER = 30 // chalicelib/party/service.py MAX_PER_MEMBER

/** The active party members among staff: {id, name, phone, grids} (the grids their party member role is at). */
export function partyMembers(staff) {
  return (staff || [])
    .filter((s) => s.status === 'active' && (s.grants || []).some((g) => g.role === 'party_member'))
    .map((s) => ({ id: s.id, name: s.name, phone: s.phone,
      grids: s.grants.filter((g) => g.role === 'party_member').map((g) => g.place) }))
}

/** hid → {id, name} of the party member who looks after it, from {memberId: LinkPage}. */
export function owners(linksByMember, members) {
  const names = Object.fromEntries((members || []).map((m) => [m.id, m.name]))
  const out = {}
  for (const [id, page] of Object.entries(linksByMember || {})) {
    for (const h of page?.items || []) out[h.id] = { id, name: page.member_name || names[id] || '' }
  }
  return out
}

/** Of the chosen households, those another party member looks after now (linking moves them). */
export function moving(hids, ownerOf, member) {
  return (hids || []).filter((h) => ownerOf[h] && ownerOf[h].id !== member)
}

/** Today's figures of a party member's households: {linked, reported}. */
export function todayOf(page) {
  const items = page?.items || []
  return { linked: items.length, reported: items.filter((h) => h.reported_today).length }
}

/**
 * What the API refused, household by household: 422 details `households.{i}` name the i-th household sent.
 * → [{hid, address, head, message}] (hid null for a detail about the whole request).
 */
export function linkProblems(err, sent, byId) {
  const details = Array.isArray(err?.details) ? err.details : []
  return details.filter((d) => d && d.message).map((d) => {
    const m = /^households\.(\d+)$/.exec(d.field || '')
    const hid = m ? sent[Number(m[1])] : null
    const h = hid ? byId[hid] : null
    return { hid, address: h?.address || '', head: h?.head_name || '', message: d.message, code: d.code }
  })
}

/** Households matching a search of head's name or address, optionally only those nobody looks after. */
export function filterHouseholds(households, { q = '', free = false, ownerOf = {} } = {}) {
  const needle = q.trim()
  return (households || []).filter((h) => (!free || !ownerOf[h.id])
    && (!needle || h.head_name.includes(needle) || h.address.includes(needle)))
}

/** Households by grid, then address in natural order (团石村2号 before 团石村10号). */
export function byAddress(households) {
  return [...(households || [])].sort((a, b) => (a.grid || '').localeCompare(b.grid || '')
    || a.address.localeCompare(b.address, 'zh-CN', { numeric: true }))
}
