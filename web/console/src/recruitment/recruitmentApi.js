// 智慧招聘's console routes (chalicelib/recruitment/api.py) for the county admin (recruitment.verify): the employer
// accounts by status and the verification decision.
import { api } from '@shared/api.js'

const e = encodeURIComponent
const qs = (params) => Object.entries(params).filter(([, v]) => v != null && v !== '').map(([k, v]) => `${k}=${e(v)}`).join('&')

/** GET /recruitment/employers?status → {items (newest first), next_cursor}. */
export const listEmployers = (status, cursor = null) => api.get(`/recruitment/employers?${qs({ status, limit: 20, cursor })}`)

/** POST /recruitment/employers/{eid}/decision {decision: verify|refuse, reason (2–200; refuse only)} → Employer
 * (409 already_decided, 422 a refusal without its reason). */
export const decideEmployer = (eid, decision, reason) =>
  api.post(`/recruitment/employers/${e(eid)}/decision`, decision === 'refuse' ? { decision, reason } : { decision })

export const STATUSES = ['pending', 'verified', 'refused']
export const STATUS_TAG = { pending: 'warning', verified: 'success', refused: 'danger' }

/** The refusal's reason before sending: 2–200 characters once trimmed (an i18n key, or ''). */
export function reasonProblem(reason) {
  const n = [...(reason || '').trim()].length
  return n < 2 || n > 200 ? 'employerConsole.reasonRange' : ''
}
