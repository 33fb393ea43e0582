// The checks the server makes on a household, made on the phone first: a form queued without a signal must not
// fail hours later for a typo. Error keys are the server's ("members.0.id_number"), so both show the same way.
import { isMobile } from '../auth/validate.js'

export const RELATIONS = ['户主', '配偶', '子女', '父母', '孙子女', '兄弟姐妹', '其他']
export const MEMBER_FIELDS = ['name', 'relation', 'id_number', 'phone', 'from_place']

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

/** null when `v` is a valid 18-character ID-card number (GB 11643), else the i18n key of the problem. */
export function idNumberProblem(v) {
  if (!/^\d{17}[\dX]$/.test(v)) return 'validate.idFormat'
  const month = Number(v.slice(10, 12))
  const day = Number(v.slice(12, 14))
  if (month < 1 || month > 12 || day < 1 || day > 31) return 'validate.idDate'
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(v[i]), 0)
  return CHECK[sum % 11] === v[17] ? null : 'validate.idCheck'
}

/** A member as the API takes it: trimmed, ID upper-cased, empty optional fields left out. */
export function cleanMember(m) {
  const out = {
    name: m.name.trim(),
    relation: m.relation,
    id_number: m.id_number.trim().toUpperCase(),
    party_member: Boolean(m.party_member),
    outside_person: Boolean(m.outside_person),
  }
  if (m.phone?.trim()) out.phone = m.phone.replace(/[\s-]/g, '')
  if (m.outside_person && m.from_place?.trim()) out.from_place = m.from_place.trim()
  return out
}

/** {field: i18n key} for one cleaned member; `prefix` is "members.0." inside a household. */
export function memberProblems(m, prefix = '') {
  const out = {}
  if (!m.name) out[`${prefix}name`] = 'validate.required'
  if (!RELATIONS.includes(m.relation)) out[`${prefix}relation`] = 'validate.required'
  const id = idNumberProblem(m.id_number)
  if (id) out[`${prefix}id_number`] = id
  if (m.phone && !isMobile(m.phone)) out[`${prefix}phone`] = 'validate.phone'
  return out
}

export function householdProblems(h) {
  const out = {}
  if (!h.address) out.address = 'validate.required'
  h.members.forEach((m, i) => Object.assign(out, memberProblems(m, `members.${i}.`)))
  return out
}

/** The errors under "members.3." as {name: ...}, for the inputs of member 3. */
export function errorsUnder(errors, prefix) {
  return Object.fromEntries(
    Object.entries(errors)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  )
}

export function blankMember(relation = '其他') {
  return { name: '', relation, id_number: '', phone: '', party_member: false, outside_person: false, from_place: '' }
}
