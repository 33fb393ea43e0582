// The case workflow's routes (chalicelib/cases/api.py) and the staff list the assignee select reads.
import { api } from '@shared/api.js'
import { inboxQuery } from './cases.js'

/** GET /cases/types → [CaseType] of the caller's county (categories with their fields, statuses, outcomes). */
export async function caseTypes() {
  return (await api.get('/cases/types')).items
}

/** PUT /cases/types/{type}/categories {categories} (the county admin: the whole list) → {type, categories}. */
export function setCategories(type, body) {
  return api.put(`/cases/types/${encodeURIComponent(type)}/categories`, body)
}

/** GET /cases (the inbox) → {items: [Case], next_cursor}, newest first. */
export function listCases(filters, cursor = null, limit) {
  return api.get(`/cases?${inboxQuery(filters, cursor, limit)}`)
}

/** GET /cases/{ref} → the case with its timeline. */
export function getCase(ref) {
  return api.get(`/cases/${encodeURIComponent(ref)}`)
}

/** POST /cases/{ref}/actions {action, …} with an Idempotency-Key → the case with its timeline. */
export function actOnCase(ref, body, idempotencyKey) {
  return api.post(`/cases/${encodeURIComponent(ref)}/actions`, body, { idempotencyKey })
}

/** Staff posted at or below `place` (every page, at most `pages` of 100). */
export async function staffAt(place, pages = 5) {
  const out = []
  let cursor = null
  for (let i = 0; i < pages; i++) {
    const qs = new URLSearchParams({ place, limit: '100' })
    if (cursor) qs.set('cursor', cursor)
    const page = await api.get(`/staff?${qs}`)
    out.push(...page.items)
    cursor = page.next_cursor
    if (!cursor) break
  }
  return out
}
