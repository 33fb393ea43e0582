// The family's own steps on an application (its applicant, or the household's villagers when a grid worker applied on
// its behalf): 补充材料 after a return, 确认收到 once shipped or ready, 评价 after receipt (which closes it); and the
// list of the household's applications (我家的申请). POST /errands/applications/{ref}/actions answers ApplicationOut.
import { api } from '@shared/api.js'

/** The steps of `steps` (what the caller may do now) that the family takes, in the order they come. */
export const FAMILY_STEPS = ['supplement', 'receive', 'rate']

/** One step: POST /errands/applications/{ref}/actions {action, …} with its Idempotency-Key → ApplicationOut. */
export function takeStep(ref, body, idempotencyKey) {
  return api.post(`/errands/applications/${encodeURIComponent(ref)}/actions`, body, { idempotencyKey })
}

/** Why it came back (the reason of the last 需补充材料 on the timeline), or ''. */
export function returnReason(app) {
  const events = app?.case?.timeline ?? []
  return [...events].reverse().find((e) => e.event === 'returned')?.note ?? ''
}

/** GET /errands/applications?household={hid} → {items, next_cursor}. */
export function loadHouseholdApplications(hid, cursor = null) {
  const q = new URLSearchParams({ household: hid })
  if (cursor) q.set('cursor', cursor)
  return api.get(`/errands/applications?${q}`)
}

/** The applications of every household of the phone, newest first (each tagged with its household). */
export async function loadFamilyApplications(households) {
  const lists = await Promise.all(households.map(async (hid) => {
    const { items = [] } = await loadHouseholdApplications(hid)
    return items.map((a) => ({ ...a, household: hid }))
  }))
  return lists.flat().sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))
}
