// 事项目录 in the console: an item of the county's 网上代办 catalogue as the editor holds it (materials and fields with a
// uid each, for v-for keys) and as the API takes it (chalicelib/errands/schemas.py ItemIn: the same limits are
// checked here first, so most mistakes are said before anything is sent; the server's 422 says the rest).

export const FIELD_TYPES = ['text', 'date', 'id_number', 'choice', 'photo']
export const DELIVERY = ['pickup', 'courier']
export const LIMITS = {
  code: 40, name: 60, department: 40, summary: 500, conditions: 1000, materials: 30, materialName: 60,
  materialNote: 200, fields: 30, fieldLabel: 40, choices: 20, choice: 30, fee: 60, days: 365, keywords: 10, keyword: 20,
}

let uids = 0
const uid = () => `u${++uids}`

export function blankMaterial() {
  return { uid: uid(), name: '', note: '', original_required: false, sample_url: null }
}

export function blankField() {
  return { uid: uid(), label: '', type: 'text', required: false, choices: [] }
}

export function blankItem() {
  return {
    id: null, version: null, code: '', name: '', department: '', summary: '', conditions: '', materials: [],
    fields: [], fee: '', time_limit_days: null, promised_days: null, delivery: ['pickup', 'courier'], keywords: [],
    enabled: true,
  }
}

/** An Item (GET /errands/items/{id}) as the editor holds it. */
export function toEditable(item) {
  return {
    ...blankItem(),
    id: item.id, version: item.version, code: item.code || '', name: item.name || '', department: item.department || '',
    summary: item.summary || '', conditions: item.conditions || '', fee: item.fee || '',
    time_limit_days: item.time_limit_days ?? null, promised_days: item.promised_days ?? null,
    delivery: [...(item.delivery || [])], keywords: [...(item.keywords || [])], enabled: item.enabled !== false,
    materials: (item.materials || []).map((m) => ({ ...blankMaterial(), name: m.name || '', note: m.note || '',
      original_required: Boolean(m.original_required), sample_url: m.sample_url ?? null })),
    fields: (item.fields || []).map((f) => ({ ...blankField(), label: f.label || '', type: f.type || 'text',
      required: Boolean(f.required), choices: [...(f.choices || [])] })),
  }
}

const trim = (s) => String(s ?? '').trim()

/** The body of POST /errands/items (and, with the version, of PUT): the fields' keys are f1, f2, … in order. */
export function toBody(draft) {
  const body = {
    code: trim(draft.code) || null,
    name: trim(draft.name),
    department: trim(draft.department),
    summary: trim(draft.summary),
    conditions: trim(draft.conditions),
    materials: draft.materials.map((m) => ({ name: trim(m.name), note: trim(m.note),
      original_required: Boolean(m.original_required), sample_url: m.sample_url ?? null })),
    fields: draft.fields.map((f, i) => ({ key: `f${i + 1}`, label: trim(f.label), type: f.type,
      required: Boolean(f.required), choices: f.type === 'choice' ? f.choices.map(trim) : [] })),
    fee: trim(draft.fee),
    time_limit_days: draft.time_limit_days ?? null,
    promised_days: draft.promised_days ?? null,
    delivery: DELIVERY.filter((d) => draft.delivery.includes(d)),
    keywords: [...new Set(draft.keywords.map(trim).filter(Boolean))],
    enabled: Boolean(draft.enabled),
  }
  if (draft.version != null) body.version = draft.version
  return body
}

/** A PUT body from a full Item with only `enabled` changed (the list's switch). */
export function withEnabled(item, enabled) {
  return toBody({ ...toEditable(item), enabled })
}

/** What is wrong before sending: {path: {key, params}} with the API's paths (materials.0.name, fields.1.choices). */
export function checkItem(draft) {
  const out = {}
  const say = (path, key, params = {}) => {
    if (!out[path]) out[path] = { key: `errandItems.check.${key}`, params }
  }
  const len = (s) => trim(s).length
  if (len(draft.name) < 2) say('name', 'name')
  if (len(draft.department) < 2) say('department', 'department')
  if (!DELIVERY.some((d) => draft.delivery.includes(d))) say('delivery', 'delivery')
  const t = draft.time_limit_days
  const p = draft.promised_days
  if (t != null && p != null && p > t) say('promised_days', 'promisedLonger')
  draft.materials.forEach((m, i) => {
    if (!len(m.name)) say(`materials.${i}.name`, 'materialName')
  })
  draft.fields.forEach((f, i) => {
    if (!len(f.label)) say(`fields.${i}.label`, 'fieldLabel')
    if (f.type === 'choice') {
      const choices = f.choices.map(trim)
      if (choices.filter(Boolean).length < 2 || choices.some((c) => !c)) say(`fields.${i}.choices`, 'choices')
      else if (new Set(choices).size !== choices.length) say(`fields.${i}.choices`, 'choicesRepeat')
    }
  })
  if (draft.keywords.length > LIMITS.keywords) say('keywords', 'keywords', { n: LIMITS.keywords })
  if (draft.keywords.some((k) => len(k) > LIMITS.keyword)) say('keywords', 'keyword', { n: LIMITS.keyword })
  return out
}

/** The list's text search: name, department, code, keywords, initials (as the phone's, a substring). */
export function matchesQuery(item, query) {
  const q = trim(query).toLowerCase()
  if (!q) return true
  return [item.name, item.department, item.code, item.initials, ...(item.keywords || [])]
    .some((s) => String(s || '').toLowerCase().includes(q))
}
