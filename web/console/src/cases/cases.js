// Pure helpers of the cases inbox (事项办理): the inbox query, which case types a person may read, SLA labels, what
// each action asks for, the extra fields of a case with their labels, whom a case can be assigned to, and bulk
// assignment. Case types, categories, statuses and outcomes come from GET /cases/types and each case's own
// `actions`: nothing here lists a case type.
import { newIdempotencyKey } from '@shared/api.js'
import { levelOf, within } from '@shared/placeCodes.js'

/** The status filters of the inbox (the workflow's, for every type): open = staff still owe an answer. */
export const STATUS_FILTERS = ['open', 'done', 'all']
/** Statuses after which nothing is owed (the workflow's own, shared by every type). */
export const DONE_STATUSES = ['resolved', 'closed']
export const PAGE_SIZE = 20

/** GET /cases query: filters {place, type, status, category, overdue}, a cursor and a page size. */
export function inboxQuery({ place, type = '', status = 'open', category = '', overdue = false } = {}, cursor = null,
  limit = PAGE_SIZE) {
  const qs = new URLSearchParams({ place, limit: String(limit) })
  if (type) qs.set('type', type)
  if (status && status !== 'all') qs.set('status', status)
  if (type && category) qs.set('category', category)
  if (overdue) qs.set('overdue', 'true')
  if (cursor) qs.set('cursor', cursor)
  return qs
}

/** Does a case still match the status filter after an action changed it? */
export function matchesStatus(c, status) {
  if (status === 'open') return !DONE_STATUSES.includes(c.status)
  if (status === 'done') return DONE_STATUSES.includes(c.status)
  return true
}

/** The permission that lets staff read a type's cases (the server's `read_permission`; before it said so, the
 * module's `<module>.read`). */
export function readPermission(type) {
  return type?.read_permission || `${type?.module}.read`
}

/** The case types `can(permission, place)` allows reading at `place` (anywhere when no place yet). */
export function readableTypes(types, can, place) {
  return (types || []).filter((x) => can(readPermission(x), place || undefined))
}

/** Every read permission of the case types (the places where any of them is held are the inbox's places). */
export function readPermissions(types) {
  return [...new Set((types || []).map(readPermission))]
}

/** SLA colour → i18n key under cases.sla (null: no time limit, or answered). */
export const SLA_KEYS = { green: 'green', amber: 'amber', red: 'red' }
export function slaKey(sla) {
  return SLA_KEYS[sla] || 'none'
}

/**
 * What each action asks for. note: 'optional' | 'required' | 'answer' (resolve: the answer to the filer, required
 * unless the type requires an outcome instead); the others say which extra inputs it shows. Actions a type adds
 * that are not known here ask for an optional note.
 */
export const ACTION_FORMS = {
  accept: { note: 'optional' },
  note: { note: 'required' },
  reply: { note: 'required' },
  assign: { assignee: true, note: 'optional' },
  escalate: { note: 'optional' },
  resolve: { outcome: true, note: 'answer' },
  close: { note: 'optional' },
  duplicate: { duplicateOf: true, note: 'optional' },
  hide: { reason: true, hidePhotos: true },
  reopen: { note: 'optional' },
  rate: { rating: true, note: 'optional' },
}
export function actionForm(action) {
  return ACTION_FORMS[action] || { note: 'optional' }
}

/** The body of POST /cases/{ref}/actions from the dialog's model (only what the action takes). */
export function actionBody(action, m) {
  const form = actionForm(action)
  const body = { action }
  const note = (m.note || '').trim()
  if (form.note && note) body.note = note
  if (form.assignee && m.assignee) body.assignee = m.assignee
  if (form.outcome && m.outcome) body.outcome = m.outcome
  if (form.duplicateOf && m.duplicateOf) body.duplicate_of = m.duplicateOf.trim()
  if (form.reason) body.reason = (m.reason || '').trim()
  if (form.hidePhotos && m.hidePhotos?.length) body.hide_photos = [...m.hidePhotos]
  if (form.rating && m.rating) body.rating = m.rating
  return body
}

/**
 * Missing inputs, checked before sending: {field: i18n key}. The type's `outcome_required` (when the server says)
 * decides whether resolving needs an outcome or an answer; otherwise the server's 422 says.
 */
export function missingInputs(action, m, type) {
  const form = actionForm(action)
  const out = {}
  const note = (m.note || '').trim()
  if (form.note === 'required' && !note) out.note = 'cases.form.noteRequired'
  if (form.assignee && !m.assignee) out.assignee = 'cases.form.assigneeRequired'
  if (form.duplicateOf && !(m.duplicateOf || '').trim()) out.duplicate_of = 'cases.form.duplicateRequired'
  if (form.reason && !(m.reason || '').trim()) out.reason = 'cases.form.reasonRequired'
  if (form.rating && !m.rating) out.rating = 'cases.form.ratingRequired'
  if (action === 'resolve') {
    const hasOutcomes = Object.keys(type?.outcomes || {}).length > 0
    if (type?.outcome_required === true && hasOutcomes && !m.outcome) out.outcome = 'cases.form.outcomeRequired'
    if (type?.outcome_required === false && !note) out.note = 'cases.form.answerRequired'
  }
  return out
}

/** The extra fields of a case with their labels from its category's definition: [{code, label, value}]. */
export function extraRows(c, type) {
  const extra = c?.extra || {}
  const category = (type?.categories || []).find((x) => x.code === c?.category)
  const fields = category?.fields || []
  const rows = []
  for (const f of fields) {
    if (!(f.code in extra)) continue
    rows.push({ code: f.code, label: f.name, value: fieldValue(f, extra[f.code]) })
  }
  for (const [code, v] of Object.entries(extra)) {
    if (!fields.some((f) => f.code === code)) rows.push({ code, label: code, value: fieldValue(null, v) })
  }
  return rows
}

function fieldValue(field, v) {
  const named = (x) => field?.values?.find((o) => o.key === x)?.name ?? x
  if (Array.isArray(v)) return v.map(named).join('、')
  if (v === null || v === undefined) return ''
  return String(named(v))
}

/** The place whose staff list offers assignees for cases at `places`: their common village (or the case's own
 * place), else `fallback`; null when the person may not list staff there (`can('staff.read', place)`). */
export function staffPlace(places, can, fallback = null) {
  const codes = [...new Set((places || []).filter(Boolean))]
  const villages = [...new Set(codes.map((p) => (p.length >= 12 ? p.slice(0, 12) : p)))]
  const candidates = []
  if (villages.length === 1) candidates.push(villages[0])
  if (codes.length === 1) candidates.push(codes[0])
  if (fallback) candidates.push(fallback)
  return candidates.find((p) => levelOf(p) && can('staff.read', p)) || null
}

/** Staff (GET /staff items) posted where they can handle a case at one of `places` (a grant at or above it):
 * [{id, name, label}] — the server still checks the role (422 not_a_handler). */
export function assignees(staff, places, roleName = (g) => g.role_name) {
  const wanted = (places || []).filter(Boolean)
  return (staff || [])
    .filter((s) => s.status !== 'disabled' && s.status !== 'removed')
    .map((s) => ({ s, grants: (s.grants || []).filter((g) => wanted.some((p) => within(p, g.place))) }))
    .filter(({ grants }) => grants.length)
    .map(({ s, grants }) => ({ id: s.id, name: s.name,
      label: `${s.name}（${grants.map((g) => `${roleName(g)} · ${g.place_name || g.place}`).join('，')}）` }))
}

/**
 * Assign several cases to one person: one POST per case, each with its own Idempotency-Key (kept in `keys`, ref →
 * key, so that trying the same assignment again cannot assign twice). send(ref, body, key) → the updated case.
 * → {done: [case], failed: [{ref, message, error}]}
 */
export async function assignAll(refs, assignee, send, keys = new Map(), messageOf = (e) => e?.message) {
  const done = []
  const failed = []
  for (const ref of refs) {
    const id = `${ref}#${assignee}`
    if (!keys.has(id)) keys.set(id, newIdempotencyKey())
    try {
      done.push(await send(ref, { action: 'assign', assignee }, keys.get(id)))
    } catch (e) {
      failed.push({ ref, message: messageOf(e), error: e })
    }
  }
  return { done, failed }
}

/** Words cut to `n` characters for a table cell (the whole text is in the drawer). */
export function truncate(text, n = 40) {
  const s = text || ''
  return [...s].length > n ? `${[...s].slice(0, n).join('')}…` : s
}
