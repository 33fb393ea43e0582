// The publish form's rules (the server's, said before sending) and its body.
export const LIMITS = { title: [2, 60], body: 5000, targets: 50, attachments: 9, daysAhead: 90 }
export const GRID_ROLES = ['grid_leader', 'grid_worker', 'grid_worker_part', 'grid_instructor']
/** 发送对象: everyone, party members, or grid workers (every grid role). */
export const AUDIENCES = { all: [], party: ['party_member'], grid: GRID_ROLES }

export function audienceOf(roles) {
  if (!roles?.length) return 'all'
  if (roles.length === 1 && roles[0] === 'party_member') return 'party'
  return 'grid'
}

/** A blank form, or the notice's own values (to edit it before its time). */
export function formOf(notice, place) {
  if (!notice) {
    return { title: '', body: '', urgent: false, targets: [], audience: 'all', publish_at: '', attachments: [] }
  }
  const whole = notice.targets.length === 1 && notice.targets[0].place === (place || notice.from_place)
  return {
    title: notice.title,
    body: notice.body,
    urgent: notice.urgent,
    targets: whole ? [] : notice.targets.map((x) => x.place),
    audience: audienceOf(notice.roles),
    publish_at: notice.status === 'scheduled' ? shanghaiLocal(notice.publish_at) : '',
    attachments: notice.attachments.map((a) => ({ key: a.key, name: a.name, content_type: a.content_type })),
  }
}

/** '2026-12-08T08:00:00Z' → '2026-12-08T16:00:00' (Asia/Shanghai wall time, as the date picker holds it). */
export function shanghaiLocal(iso) {
  const d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000)
  return d.toISOString().slice(0, 19)
}

/** A Shanghai wall time '2026-12-08T16:00:00' as an instant (ms). */
const instant = (local) => Date.parse(`${local}+08:00`)

/** Problems the server would answer with a 422, as {field: i18n key}. */
export function checkForm(form, now = Date.now()) {
  const out = {}
  const title = form.title.trim()
  if (!title) out.title = 'notices.v.titleRequired'
  else if (title.length < LIMITS.title[0] || title.length > LIMITS.title[1]) out.title = 'notices.v.titleLength'
  const body = form.body.trim()
  if (!body) out.body = 'notices.v.bodyRequired'
  else if (body.length > LIMITS.body) out.body = 'notices.v.bodyLength'
  if (form.targets.length > LIMITS.targets) out.targets = 'notices.v.tooManyTargets'
  if (form.attachments.length > LIMITS.attachments) out.attachments = 'notices.v.tooManyFiles'
  if (form.publish_at) {
    const at = instant(form.publish_at)
    if (Number.isNaN(at)) out.publish_at = 'notices.v.badTime'
    else if (at > now + LIMITS.daysAhead * 86400 * 1000) out.publish_at = 'notices.v.tooFar'
  }
  return out
}

/** The body of POST /notices (PUT adds `version`). */
export function bodyOf(form, place) {
  const body = {
    place,
    title: form.title.trim(),
    body: form.body.trim(),
    urgent: Boolean(form.urgent),
    targets: [...form.targets],
    roles: [...AUDIENCES[form.audience]],
    attachments: form.attachments.map((a) => ({ key: a.key, ...(a.name ? { name: a.name } : {}) })),
  }
  if (form.publish_at) body.publish_at = `${form.publish_at}+08:00`
  return body
}

/** A 422 detail's field ('targets.2', 'attachments.0') → the form field that shows it. */
export function formField(field) {
  return String(field || '').split('.')[0]
}
