// Pure helpers of a 网上代办 application in the console: which steps the page offers (only those the server lists in
// `steps`), what each step's dialog asks for and checks before sending, the body of POST
// /errands/applications/{ref}/actions, and how long an application has been open.

/** The steps staff take, in the order their buttons show (the applicant's own — supplement, receive, rate — are
 * the phone's). */
export const STAFF_STEPS = ['return', 'forward', 'decide', 'ship', 'ready']

/** The courier companies the server accepts (chalicelib/errands/applications.py COURIERS). */
export const COURIERS = ['中国邮政EMS', '顺丰速运', '京东物流', '中通快递', '圆通速递', '申通快递', '韵达快递', '极兔速递']

export const TRACKING_NO = /^[A-Za-z0-9-]{6,30}$/
export const MAX_RESULT_PHOTOS = 6
export const NOTE_MAX = 500

/** The step buttons to show: the staff steps the server offers the caller now, in their order. */
export function staffSteps(steps) {
  const offered = new Set(steps || [])
  return STAFF_STEPS.filter((s) => offered.has(s))
}

/** A blank dialog model. */
export function blankStep() {
  return { note: '', outcome: '', photos: [], courier: '', trackingNo: '' }
}

/** What is missing or wrong before sending: {field (as the API names it): i18n key}. */
export function stepProblems(action, m) {
  const out = {}
  const note = (m.note || '').trim()
  if (action === 'return' && !note) out.note = 'errandApp.check.returnNote'
  if (action === 'decide') {
    if (!['approved', 'refused'].includes(m.outcome)) out.outcome = 'errandApp.check.outcome'
    else if (m.outcome === 'refused' && !note) out.note = 'errandApp.check.refuseNote'
    if ((m.photos || []).some((p) => !p.key)) out.photos = 'errandApp.check.uploading'
  }
  if (action === 'ship') {
    if (!COURIERS.includes(m.courier)) out.courier = 'errandApp.check.courier'
    const no = (m.trackingNo || '').trim()
    if (!no) out.tracking_no = 'errandApp.check.trackingNo'
    else if (!TRACKING_NO.test(no)) out.tracking_no = 'errandApp.check.trackingNoFormat'
  }
  return out
}

/** The body of POST /errands/applications/{ref}/actions: only what the step takes. */
export function stepBody(action, m) {
  const body = { action }
  const note = (m.note || '').trim()
  if (note) body.note = note
  if (action === 'decide') {
    body.outcome = m.outcome
    const keys = (m.photos || []).map((p) => p.key).filter(Boolean)
    if (keys.length) body.photos = keys
  }
  if (action === 'ship') {
    body.courier = m.courier
    body.tracking_no = (m.trackingNo || '').trim()
  }
  return body
}

const DAY = 24 * 3600 * 1000
/** The calendar date (YYYY-MM-DD) of an instant in Asia/Shanghai (UTC+8, no daylight saving). */
function shanghaiDay(ms) {
  return Math.floor((ms + 8 * 3600 * 1000) / DAY)
}

/** Calendar days an application has been open: from its filing to its decision (or to now while undecided); the
 * day it was filed counts as day 0. */
export function daysOpen(c, now = Date.now()) {
  if (!c?.created_at) return null
  const end = c.resolved_at ? Date.parse(c.resolved_at) : now
  return Math.max(0, shanghaiDay(end) - shanghaiDay(Date.parse(c.created_at)))
}

/** The tag colour of a stage. */
export function stageTagType(stage) {
  return { submitted: 'danger', returned: 'warning', forwarded: 'primary', approved: 'success', refused: 'info',
    shipped: 'success', ready: 'success', received: 'info' }[stage] || 'info'
}
