// Applying for a 网上代办 item on the phone: the form's state (one value per field of the item, the photos of every
// material, the delivery), the checks made before sending (with the server's field names, so both show the same
// way), and sending: every photo (shrunk on the phone) is uploaded once to S3 (its key kept on the photo, so a retry
// does not upload it again), then POST /errands/applications with one Idempotency-Key for the same submission.
import { reactive } from 'vue'
import { api } from '@shared/api.js'
import { isMobile, normalizePhone } from '../../auth/validate.js'
import { idNumberProblem } from '../../field/validate.js'

export const CASE_TYPE = 'errand'
export const MAX_PHOTOS = 4 // a material (or a photo field): 1–4 photos
export const MIN_ADDRESS = 5
export const MAX_ADDRESS = 100
export const MAX_TEXT = 200

const DATE = /^\d{4}-\d{2}-\d{2}$/
const length = (s) => [...String(s ?? '')].length

/** The delivery chosen at first: 网点自取 when the item offers it, else what it offers. */
export function firstDelivery(item) {
  const offered = item?.delivery ?? []
  return offered.includes('pickup') ? 'pickup' : offered[0] ?? null
}

/** An empty form for `item`: photo fields and materials hold photos ([{uid, blob, url, key}]). */
export function newApplication(item, household = null) {
  return reactive({
    household,
    values: Object.fromEntries((item.fields ?? []).map((f) => [f.key, f.type === 'photo' ? [] : ''])),
    materials: (item.materials ?? []).map(() => []),
    delivery: firstDelivery(item),
    address: '',
    phone: '',
    consent_code: '', // on a household's behalf (grid staff): the code texted to the household
  })
}

/** A text value as sent: trimmed; an ID number upper-cased without spaces. */
export function cleanValue(field, v) {
  const s = String(v ?? '').trim()
  return field.type === 'id_number' ? s.replace(/\s/g, '').toUpperCase() : s
}

function validDate(v) {
  if (!DATE.test(v)) return false
  const d = new Date(`${v}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v
}

/** What is wrong before sending, as {field: i18n key}: "values.f2", "materials.0", "delivery", "address", "phone". */
export function applicationProblems(item, form) {
  const out = {}
  for (const f of item.fields ?? []) {
    const name = `values.${f.key}`
    if (f.type === 'photo') {
      if (f.required && !form.values[f.key]?.length) out[name] = 'photos.required'
      continue
    }
    const v = cleanValue(f, form.values[f.key])
    if (!v) {
      if (f.required) out[name] = f.type === 'choice' ? 'errandApply.choose' : 'validate.required'
    } else if (f.type === 'date' && !validDate(v)) out[name] = 'errandApply.badDate'
    else if (f.type === 'id_number') {
      const problem = idNumberProblem(v)
      if (problem) out[name] = problem
    } else if (f.type === 'choice' && !(f.choices ?? []).includes(v)) out[name] = 'errandApply.choose'
    else if (length(v) > MAX_TEXT) out[name] = 'errandApply.tooLong'
  }
  ;(item.materials ?? []).forEach((_, i) => {
    if (!form.materials[i]?.length) out[`materials.${i}`] = 'photos.required'
  })
  if (!(item.delivery ?? []).includes(form.delivery)) out.delivery = 'errandApply.chooseDelivery'
  if (form.delivery === 'courier') {
    const n = length(form.address.trim())
    if (!n) out.address = 'errandApply.addressRequired'
    else if (n < MIN_ADDRESS) out.address = 'errandApply.addressShort'
    if (form.phone.trim() && !isMobile(form.phone)) out.phone = 'validate.phone'
  }
  return out
}

/** Every photo of the form, in order (photo fields, then materials). */
export function photosOf(item, form) {
  const fields = (item.fields ?? []).filter((f) => f.type === 'photo').flatMap((f) => form.values[f.key] ?? [])
  return [...fields, ...form.materials.flat()]
}

/** Upload the photos that have no key yet, one at a time; each key is kept on its photo as soon as it is known. */
export async function uploadPhotos(photos, upload) {
  for (const p of photos) {
    if (!p.key) p.key = await upload(p.blob, CASE_TYPE, 'image/jpeg')
  }
}

/** The POST /errands/applications body (photos uploaded already). Empty optional values are left out. */
export function applicationBody(item, form) {
  const values = {}
  for (const f of item.fields ?? []) {
    if (f.type === 'photo') {
      const keys = (form.values[f.key] ?? []).map((p) => p.key)
      if (keys.length) values[f.key] = keys
    } else {
      const v = cleanValue(f, form.values[f.key])
      if (v) values[f.key] = v
    }
  }
  const body = {
    item: item.id,
    household: form.household,
    values,
    materials: form.materials.map((photos) => photos.map((p) => p.key)),
    delivery: form.delivery,
  }
  if (form.delivery === 'courier') {
    body.address = form.address.trim()
    if (form.phone.trim()) body.phone = normalizePhone(form.phone) // the courier's contact
  }
  const code = String(form.consent_code ?? '').trim()
  if (code) body.consent_code = code
  return body
}

/** Upload what is not uploaded yet and file the application; resolves ApplicationOut. */
export async function sendApplication(item, form, idempotencyKeyOf, upload) {
  await uploadPhotos(photosOf(item, form), upload)
  const body = applicationBody(item, form)
  return api.post('/errands/applications', body, { idempotencyKey: idempotencyKeyOf(body) })
}

/** GET /errands/applications/{ref} → ApplicationOut. */
export function loadApplication(ref) {
  return api.get(`/errands/applications/${encodeURIComponent(ref)}`)
}
