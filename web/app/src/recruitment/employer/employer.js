// 企业招聘 on the phone (the employer's side of 智慧招聘): the employer account (apply, 待审核 / 未通过 / 已认证), the
// role the verification gives (the token is refreshed so it carries it, then /me is read again), my jobs (post,
// edit with rev, close), a job's applicants and what the employer does with them (邀请面试, 发录用, 不合适).
// Routes: chalicelib/recruitment (the contract's "Employer accounts", "Jobs" and "Employer's applicants").
import { api, refreshSession } from '@shared/api.js'
import { holds } from '@shared/permissions.js'

export const CATEGORIES = ['普工', '技工', '服务', '农业', '建筑', '物流', '其他']

const enc = encodeURIComponent
const q = (params) => Object.entries(params).filter(([, v]) => v != null && v !== '')
  .map(([k, v]) => `${k}=${enc(v)}`).join('&')
const length = (s) => [...String(s ?? '')].length

export const loadMine = () => api.get('/recruitment/employers/mine')
export const applyEmployer = (body, key) => api.post('/recruitment/employers', body, { idempotencyKey: key })
export const loadMyJobs = (cursor = null) => api.get(`/recruitment/jobs/mine?${q({ limit: 20, cursor })}`)
export const loadJob = (id) => api.get(`/recruitment/jobs/${enc(id)}`)
export const postJob = (body, key) => api.post('/recruitment/jobs', body, { idempotencyKey: key })
export const updateJob = (id, body) => api.put(`/recruitment/jobs/${enc(id)}`, body)
export const closeJob = (id) => api.post(`/recruitment/jobs/${enc(id)}/close`)
export const loadApplicants = (id, cursor = null) =>
  api.get(`/recruitment/jobs/${enc(id)}/applicants?${q({ limit: 20, cursor })}`)
export const invite = (aid, body) => api.post(`/recruitment/applications/${enc(aid)}/interview`, body)
export const offer = (aid, note) => api.post(`/recruitment/applications/${enc(aid)}/offer`, { note })
export const reject = (aid, note) => api.post(`/recruitment/applications/${enc(aid)}/reject`, { note })

export { loadTownships } from '../recruitment.js'

/**
 * After the county verified the account: the person's token does not carry the employer role yet. Refresh it
 * (POST /auth/refresh) and read /me again; resolves with the new me (holding recruitment.hire when it worked).
 */
export async function takeUpRole(account) {
  await refreshSession()
  return account.loadMe()
}

export const isEmployer = (me) => holds(me, 'recruitment.hire')

// --- the account application ---

export const emptyApplication = () => ({ company: '', licence_no: '', contact_name: '', address: '', intro: '' })

/** What is wrong before sending ({field: i18n key}); the licence's check character is the server's to say. */
export function applicationProblems(form) {
  const out = {}
  const company = length(form.company.trim())
  if (company < 2 || company > 60) out.company = 'employer.companyRange'
  if (length(form.licence_no.trim()) !== 18) out.licence_no = 'employer.licenceLength'
  if (!form.contact_name.trim()) out.contact_name = 'employer.required'
  const address = length(form.address.trim())
  if (address < 2 || address > 100) out.address = 'employer.addressRange'
  if (length(form.intro) > 1000) out.intro = 'employer.introLong'
  return out
}

export const applicationBody = (form) => ({
  company: form.company.trim(), licence_no: form.licence_no.trim().toUpperCase(),
  contact_name: form.contact_name.trim(), address: form.address.trim(), intro: form.intro.trim(),
})

// --- a job ---

export const emptyJob = () => ({
  title: '', category: '普工', pay_min: '', pay_max: '', township: null, place: '', shifts: '', requirements: '',
  openings: 1,
})

/** A job as the form edits it. */
export const jobForm = (job) => ({
  title: job.title, category: job.category, pay_min: String(job.pay_min), pay_max: String(job.pay_max),
  township: job.township ?? null, place: job.place, shifts: job.shifts ?? '', requirements: job.requirements ?? '',
  openings: job.openings,
})

const whole = (v) => (/^\d+$/.test(String(v).trim()) ? Number(String(v).trim()) : NaN)

export function jobProblems(form) {
  const out = {}
  const title = length(form.title.trim())
  if (title < 2 || title > 40) out.title = 'employer.titleRange'
  if (!CATEGORIES.includes(form.category)) out.category = 'employer.required'
  const lo = whole(form.pay_min)
  const hi = whole(form.pay_max)
  if (!Number.isInteger(lo) || lo > 1_000_000) out.pay_min = 'employer.payRange'
  if (!Number.isInteger(hi) || hi > 1_000_000) out.pay_max = 'employer.payRange'
  else if (Number.isInteger(lo) && lo > hi) out.pay_max = 'employer.payOrder'
  const place = length(form.place.trim())
  if (place < 2 || place > 100) out.place = 'employer.placeRange'
  if (length(form.shifts) > 200) out.shifts = 'employer.shiftsLong'
  if (length(form.requirements) > 1000) out.requirements = 'employer.requirementsLong'
  const n = Number(form.openings)
  if (!Number.isInteger(n) || n < 1 || n > 500) out.openings = 'employer.openingsRange'
  return out
}

export const jobBody = (form) => ({
  title: form.title.trim(), category: form.category, pay_min: whole(form.pay_min), pay_max: whole(form.pay_max),
  township: form.township || null, place: form.place.trim(), shifts: form.shifts.trim(),
  requirements: form.requirements.trim(), openings: Number(form.openings),
})

/** 3500–5000 元/月 (one number when both are the same). */
export const payText = (job) => (job.pay_min === job.pay_max ? `${job.pay_min}` : `${job.pay_min}–${job.pay_max}`)

export const JOB_TAG = { open: 'success', closed: 'default', full: 'primary' }
export const APPLICATION_TAG = {
  submitted: 'primary', viewed: 'default', interview: 'warning', offered: 'success', hired: 'success',
  declined: 'default', rejected: 'danger',
}

/** What the employer may still do with an application (the server's allowed moves). */
export const canInvite = (a) => ['submitted', 'viewed', 'interview'].includes(a.status)
export const canOffer = (a) => ['submitted', 'viewed', 'interview'].includes(a.status)
export const canReject = (a) => ['submitted', 'viewed', 'interview', 'offered'].includes(a.status)

// --- the interview's time: chosen and shown in Asia/Shanghai whatever the phone's own zone ---

/** "YYYY-MM-DDTHH:mm" of `date` in Asia/Shanghai (a datetime-local input's value). */
export function shanghaiLocal(date = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date)
  const get = (type) => parts.find((p) => p.type === type).value
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`
}

/** The invitation's `at`: the picked Shanghai wall time with its offset (the server reads it as such). */
export const interviewAt = (local) => `${local}:00+08:00`

export function inviteProblems(form, now = new Date()) {
  const out = {}
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(form.at || '')) out.at = 'employer.atRequired'
  else if (form.at <= shanghaiLocal(now)) out.at = 'employer.atPast'
  if (form.mode === 'onsite') {
    const n = length((form.address || '').trim())
    if (n < 2 || n > 100) out.address = 'employer.addressRange'
  }
  return out
}

export const inviteBody = (form) => ({
  at: interviewAt(form.at), mode: form.mode, ...(form.mode === 'onsite' ? { address: form.address.trim() } : {}),
})
