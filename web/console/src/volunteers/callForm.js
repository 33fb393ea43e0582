// The 发布招募 / 修改招募 form: what the date pickers hold (Asia/Shanghai wall times 'YYYY-MM-DDTHH:mm:ss'), the
// checks the server would answer with a 422, and the body of POST / PUT /volunteers/calls (times with +08:00).
export const SKILLS = ['驾驶', '医护', '搬运', '其他']
export const LIMITS = { title: [2, 40], description: [1, 2000], address: [2, 120], slots: [1, 500], requirements: 500,
  daysAhead: 90 }

const length = (s) => [...String(s ?? '').trim()].length

/** '2026-12-09T00:00:00Z' → '2026-12-09T08:00:00' (the Shanghai wall time the picker shows). */
export function shanghaiLocal(iso) {
  if (!iso) return ''
  return new Date(new Date(iso).getTime() + 8 * 3600 * 1000).toISOString().slice(0, 19)
}

/** A Shanghai wall time as ISO-8601 with its offset: '2026-12-09T08:00:00' → '2026-12-09T08:00:00+08:00'. */
export const withOffset = (local) => `${String(local).slice(0, 19)}+08:00`

const instant = (local) => Date.parse(withOffset(local))

/** The form for a call (null: a new one at `place`). */
export function formOf(call, place = '') {
  if (!call) {
    return { place, title: '', description: '', address: '', starts_at: '', ends_at: '', slots: 5, requirements: '',
      skills: [] }
  }
  return { place: call.place, title: call.title, description: call.description, address: call.address,
    starts_at: shanghaiLocal(call.starts_at), ends_at: shanghaiLocal(call.ends_at), slots: call.slots,
    requirements: call.requirements || '', skills: [...(call.skills || [])] }
}

/** Problems before sending, as {field: i18n key} (the server's field names). `confirmed`: slots taken (editing). */
export function checkCall(form, { now = Date.now(), confirmed = 0 } = {}) {
  const out = {}
  if (!form.place) out.place = 'volunteerConsole.v.placeRequired'
  const title = length(form.title)
  if (title < LIMITS.title[0] || title > LIMITS.title[1]) out.title = 'volunteerConsole.v.titleLength'
  const desc = length(form.description)
  if (desc < LIMITS.description[0] || desc > LIMITS.description[1]) out.description = 'volunteerConsole.v.descriptionLength'
  const address = length(form.address)
  if (address < LIMITS.address[0] || address > LIMITS.address[1]) out.address = 'volunteerConsole.v.addressLength'
  if (length(form.requirements) > LIMITS.requirements) out.requirements = 'volunteerConsole.v.requirementsLength'
  const slots = Number(form.slots)
  if (!Number.isInteger(slots) || slots < LIMITS.slots[0] || slots > LIMITS.slots[1]) out.slots = 'volunteerConsole.v.slots'
  else if (slots < confirmed) out.slots = 'volunteerConsole.v.belowConfirmed'
  const start = form.starts_at ? instant(form.starts_at) : NaN
  const end = form.ends_at ? instant(form.ends_at) : NaN
  if (Number.isNaN(start)) out.starts_at = 'volunteerConsole.v.timeRequired'
  else if (start > now + LIMITS.daysAhead * 86400_000) out.starts_at = 'volunteerConsole.v.tooFar'
  if (Number.isNaN(end)) out.ends_at = 'volunteerConsole.v.timeRequired'
  else if (!Number.isNaN(start) && end <= start) out.ends_at = 'volunteerConsole.v.beforeStart'
  else if (end <= now) out.ends_at = 'volunteerConsole.v.past'
  return out
}

/** The body of POST /volunteers/calls (PUT adds `version`). */
export function bodyOf(form) {
  return {
    place: form.place,
    title: form.title.trim(),
    description: form.description.trim(),
    address: form.address.trim(),
    starts_at: withOffset(form.starts_at),
    ends_at: withOffset(form.ends_at),
    slots: Number(form.slots),
    requirements: form.requirements.trim(),
    skills: SKILLS.filter((s) => form.skills.includes(s)),
  }
}
