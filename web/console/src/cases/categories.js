// 事项类别 (the county admin's categories of a case type): the list as GET /cases/types gives it turned into
// something to edit, back into the body of PUT /cases/types/{type}/categories, the checks the server makes
// (chalicelib/cases/categories.py and schemas.py CategoriesIn) made before sending, and the server's 422 details
// put next to the category and the input they are about. A category once saved is never removed, only switched
// off; its code never changes. Problems are {path: message} with the server's paths (`categories.3.fields.0.values`);
// ours carry an i18n key and its parameters ({key, params}), the server's its Chinese message ({message}).

export const CODE = /^[a-z][a-z0-9_]{1,29}$/
export const VALUE_KEY = /^[a-z0-9_]{1,30}$/
export const DATATYPES = ['string', 'text', 'number', 'datetime', 'singlevaluelist', 'multivaluelist']
export const LIST_TYPES = ['singlevaluelist', 'multivaluelist']
export const LIMITS = { categories: 30, fields: 10, values: 30, name: 20, nameEn: 60, description: 200,
  fieldName: 40, valueName: 40, slaHours: 24 * 90 }

let seq = 0
const uid = (p) => `${p}${++seq}`
const trim = (s) => (typeof s === 'string' ? s.trim() : '')

/** A category of GET /cases/types as the page edits it: `saved` ones (on the server) keep their code. */
export function toEditable(c, saved = true) {
  return {
    uid: uid('c'), saved, code: c.code || '', name: c.name || '', name_en: c.name_en || '',
    description: c.description || '', sla_hours: c.sla_hours ?? null, enabled: c.enabled !== false,
    fields: (c.fields || []).map((f) => ({
      uid: uid('f'), saved, code: f.code || '', name: f.name || '', datatype: f.datatype || 'string',
      required: Boolean(f.required), description: f.description || '',
      values: (f.values || []).map((v) => ({ uid: uid('v'), saved, key: v.key || '', name: v.name || '' })),
    })),
  }
}

export const blankCategory = () => toEditable({ enabled: true, sla_hours: 72 }, false)
export const blankField = () => ({ uid: uid('f'), saved: false, code: '', name: '', datatype: 'string',
  required: false, description: '', values: [] })
export const blankValue = () => ({ uid: uid('v'), saved: false, key: '', name: '' })
export const isList = (f) => LIST_TYPES.includes(f.datatype)

/** A deep copy to edit in the dialog (uids kept, so the page can put it back in place). */
export const copyCategory = (c) => JSON.parse(JSON.stringify(c))

/**
 * What the dialog hands back: words trimmed; a field that is no list loses its options; an option without a key
 * gets the next free `opt<n>` (the key is what a case stores; the admin sees the name).
 */
export function finishCategory(c) {
  const out = copyCategory(c)
  for (const k of ['code', 'name', 'name_en', 'description']) out[k] = trim(out[k])
  for (const f of out.fields) {
    f.code = trim(f.code)
    f.name = trim(f.name)
    f.description = trim(f.description)
    if (!isList(f)) {
      f.values = []
      continue
    }
    for (const v of f.values) {
      v.key = trim(v.key)
      v.name = trim(v.name)
    }
    f.values = f.values.filter((v) => v.key || v.name) // an empty row is no option
    const used = new Set(f.values.map((v) => v.key))
    let n = 0
    for (const v of f.values) {
      if (v.key) continue
      do n += 1
      while (used.has(`opt${n}`))
      v.key = `opt${n}`
      used.add(v.key)
    }
  }
  return out
}

/** The body of PUT /cases/types/{type}/categories: the whole list, in the order shown. */
export function toBody(list) {
  return {
    categories: list.map((c) => ({
      code: trim(c.code), name: trim(c.name), name_en: trim(c.name_en), description: trim(c.description),
      sla_hours: c.sla_hours === '' || c.sla_hours == null ? null : Number(c.sla_hours), enabled: Boolean(c.enabled),
      fields: c.fields.map((f) => ({
        code: trim(f.code), name: trim(f.name), datatype: f.datatype, required: Boolean(f.required),
        description: trim(f.description),
        values: isList(f) ? f.values.map((v) => ({ key: trim(v.key), name: trim(v.name) })) : [],
      })),
    })),
  }
}

const p = (key, params = {}) => ({ key, params })

/** One category's problems, paths relative to it (`code`, `fields.0.values`); `others`: the rest of the list. */
export function checkCategory(c, others = []) {
  const out = {}
  const code = trim(c.code)
  if (!CODE.test(code)) out.code = p('caseCategories.check.code')
  else if (others.some((o) => trim(o.code) === code)) out.code = p('caseCategories.check.duplicateCode')
  const name = trim(c.name)
  if (!name) out.name = p('caseCategories.check.name')
  else if (name.length > LIMITS.name) out.name = p('caseCategories.check.tooLong', { n: LIMITS.name })
  if (trim(c.name_en).length > LIMITS.nameEn) out.name_en = p('caseCategories.check.tooLong', { n: LIMITS.nameEn })
  if (trim(c.description).length > LIMITS.description) {
    out.description = p('caseCategories.check.tooLong', { n: LIMITS.description })
  }
  const sla = c.sla_hours
  if (sla !== null && sla !== '' && sla !== undefined
    && !(Number.isInteger(Number(sla)) && Number(sla) >= 1 && Number(sla) <= LIMITS.slaHours)) {
    out.sla_hours = p('caseCategories.check.sla', { max: LIMITS.slaHours })
  }
  if (c.fields.length > LIMITS.fields) out.fields = p('caseCategories.check.tooManyFields', { n: LIMITS.fields })
  const codes = new Set()
  c.fields.forEach((f, j) => {
    const at = `fields.${j}`
    const fcode = trim(f.code)
    if (!CODE.test(fcode)) out[`${at}.code`] = p('caseCategories.check.code')
    else if (codes.has(fcode)) out[`${at}.code`] = p('caseCategories.check.duplicateFieldCode')
    codes.add(fcode)
    const fname = trim(f.name)
    if (!fname) out[`${at}.name`] = p('caseCategories.check.fieldName')
    else if (fname.length > LIMITS.fieldName) {
      out[`${at}.name`] = p('caseCategories.check.tooLong', { n: LIMITS.fieldName })
    }
    if (!DATATYPES.includes(f.datatype)) out[`${at}.datatype`] = p('caseCategories.check.datatype')
    if (!isList(f)) return
    const values = f.values.filter((v) => trim(v.key) || trim(v.name))
    if (values.length < 1 || values.length > LIMITS.values) {
      out[`${at}.values`] = p('caseCategories.check.values', { n: LIMITS.values })
    }
    const keys = new Set()
    f.values.forEach((v, k) => {
      const key = trim(v.key)
      const vname = trim(v.name)
      if (!key && !vname) return
      if (key && !VALUE_KEY.test(key)) out[`${at}.values.${k}.key`] = p('caseCategories.check.valueKey')
      else if (key && keys.has(key)) out[`${at}.values.${k}.key`] = p('caseCategories.check.duplicateValue')
      keys.add(key)
      if (!vname) out[`${at}.values.${k}.name`] = p('caseCategories.check.valueName')
      else if (vname.length > LIMITS.valueName) {
        out[`${at}.values.${k}.name`] = p('caseCategories.check.tooLong', { n: LIMITS.valueName })
      }
    })
  })
  return out
}

/** The whole list's problems with the server's paths; {} when it may be sent. */
export function checkList(list) {
  const out = {}
  if (list.length < 1 || list.length > LIMITS.categories) {
    out.categories = p('caseCategories.check.count', { n: LIMITS.categories })
  }
  list.forEach((c, i) => {
    const others = list.filter((_, k) => k < i) // the first of two equal codes is fine, the second is not
    for (const [path, problem] of Object.entries(checkCategory(c, others))) out[`categories.${i}.${path}`] = problem
  })
  if (list.length && !list.some((c) => c.enabled)) out.categories ||= p('caseCategories.check.noneEnabled')
  return out
}

/**
 * Problems (ours or the server's 422 details as {field: message}) sorted to the category they are about:
 * {byUid: {uid: {relativePath: problem}}, general: [problem]} — by uid, so that they stay with their category when
 * the list is reordered. Paths that name no category of the list are general (e.g. 类别不能删除).
 */
export function sortProblems(problems, list) {
  const byUid = {}
  const general = []
  for (const [path, problem] of Object.entries(problems)) {
    const m = /^categories\.(\d+)(?:\.(.+))?$/.exec(path)
    const c = m && list[Number(m[1])]
    if (!c) {
      general.push(problem)
      continue
    }
    byUid[c.uid] ||= {}
    byUid[c.uid][m[2] || ''] = problem
  }
  return { byUid, general }
}

/** The server's 422 details → {field: {message}} (several on one field: the first). */
export function serverProblems(details) {
  const out = {}
  for (const d of Array.isArray(details) ? details : []) {
    if (d?.message && !(String(d.field ?? '') in out)) out[String(d.field ?? '')] = { message: d.message }
  }
  return out
}

/** Move the item at `i` by `by` (−1 up, +1 down); a new array, the same one when it cannot move. */
export function move(list, i, by) {
  const j = i + by
  if (i < 0 || j < 0 || i >= list.length || j >= list.length) return list
  const out = [...list]
  ;[out[i], out[j]] = [out[j], out[i]]
  return out
}

/** Hours as days for the eye: 72 → 3, 36 → 1.5, 20 → 0.8 (one decimal); null → null. */
export function slaDays(hours) {
  if (hours === null || hours === undefined || hours === '' || !Number.isFinite(Number(hours))) return null
  return Math.round((Number(hours) / 24) * 10) / 10
}
