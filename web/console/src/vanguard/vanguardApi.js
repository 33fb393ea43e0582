// 党员先锋's console routes (chalicelib/vanguard/api.py): a village's deeds and comments awaiting the party
// secretary, the county's points rules, a member's ledger and corrections, and the 党建指数 board.
import { api } from '@shared/api.js'

const e = encodeURIComponent
const qs = (params) => Object.entries(params).filter(([, v]) => v != null && v !== '').map(([k, v]) => `${k}=${e(v)}`).join('&')

/** GET /vanguard/deeds/pending → {items (oldest first), next_cursor}. */
export const pendingDeeds = (village, cursor = null) => api.get(`/vanguard/deeds/pending?${qs({ village, limit: 20, cursor })}`)

/** POST /vanguard/deeds/{id}/decision {action: approve|reject, reason?} → Deed (409 already_decided). */
export const decideDeed = (id, action, reason) =>
  api.post(`/vanguard/deeds/${e(id)}/decision`, reason ? { action, reason } : { action })

/** GET /vanguard/comments/pending → {items (each with its deed), next_cursor}. */
export const pendingComments = (village, cursor = null) =>
  api.get(`/vanguard/comments/pending?${qs({ village, limit: 20, cursor })}`)

/** POST /vanguard/deeds/{id}/comments/{cid}/decision {action: approve|hide} → Comment. */
export const moderateComment = (deed, cid, action) =>
  api.post(`/vanguard/deeds/${e(deed)}/comments/${e(cid)}/decision`, { action })

/** GET /vanguard/rules → {rules: [{source, name, points, monthly_cap}], version, updated_at, defaults}. */
export const getRules = () => api.get('/vanguard/rules')

/** PUT /vanguard/rules {rules: {source: {points, monthly_cap}}, version} (409 version_conflict). */
export const setRules = (rules, version) => api.put('/vanguard/rules', { rules, version })

/** GET /vanguard/index?place&period → the board {place, level, period, formula, items}. */
export const getIndex = (place, period) => api.get(`/vanguard/index?${qs({ place, period })}`)

/** GET /vanguard/points/{uid} → {member, name, balance, month, entries, next_cursor}. */
export const getPoints = (uid) => api.get(`/vanguard/points/${e(uid)}?limit=20`)

/** POST /vanguard/points/corrections {member, points, reason} (Idempotency-Key) → Entry. */
export const correctPoints = (body, idempotencyKey) => api.post('/vanguard/points/corrections', body, { idempotencyKey })

/** This month in Asia/Shanghai, "YYYY-MM". */
export function thisMonth(date = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .formatToParts(date)
  const get = (type) => parts.find((p) => p.type === type).value
  return `${get('year')}-${get('month')}`
}

/** What is wrong with a correction before sending (i18n keys by field). */
export function correctionProblems(form) {
  const out = {}
  if (!form.member) out.member = 'vanguardConsole.memberRequired'
  if (!Number.isInteger(form.points) || form.points === 0 || Math.abs(form.points) > 1000) out.points = 'vanguardConsole.pointsRange'
  const n = [...(form.reason || '').trim()].length
  if (n < 2 || n > 200) out.reason = 'vanguardConsole.reasonRange'
  return out
}
