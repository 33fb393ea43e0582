// 智慧招聘 for job seekers on the phone: the calls the pages make (contract: docs/api.md, 智慧招聘), the fixed
// categories, the statuses of an application and how a pay range and a place read.
import { api } from '@shared/api.js'

/** The fixed job categories (the server refuses any other). */
export const CATEGORIES = ['普工', '技工', '服务', '农业', '建筑', '物流', '其他']

/** Vant tag type of each application status (已投递 … 未通过). */
export const STATUS_TAG = {
  submitted: 'primary',
  viewed: 'primary',
  interview: 'warning',
  offered: 'success',
  hired: 'success',
  declined: 'default',
  rejected: 'danger',
}

/** The statuses that wait on the employer: an outlined tag. */
export const PLAIN_TAG = ['submitted', 'viewed', 'declined']

export const MAX_ALERT_TOWNSHIPS = 5

const enc = encodeURIComponent

/** The query string of the jobs list: category and township (a township code, or the county's code: 全县 jobs). */
export function jobsPath({ category = '', township = '', cursor = null, limit = 20 } = {}) {
  const q = new URLSearchParams()
  if (category) q.set('category', category)
  if (township) q.set('township', township)
  q.set('limit', String(limit))
  if (cursor) q.set('cursor', cursor)
  return `/recruitment/jobs?${q}`
}

export const loadJob = (id) => api.get(`/recruitment/jobs/${enc(id)}`)
export const applyJob = (id, note, key) =>
  api.post(`/recruitment/jobs/${enc(id)}/applications`, note ? { note } : {}, { idempotencyKey: key })
export const loadProfile = () => api.get('/recruitment/profile')
export const saveProfile = (body) => api.put('/recruitment/profile', body)
export const acceptOffer = (aid) => api.post(`/recruitment/applications/${enc(aid)}/accept`)
export const declineOffer = (aid) => api.post(`/recruitment/applications/${enc(aid)}/decline`)
export const loadAlert = () => api.get('/recruitment/alerts')
export const saveAlert = (body) => api.put('/recruitment/alerts', body)
export const deleteAlert = () => api.del('/recruitment/alerts')
export const deleteVideo = () => api.del('/recruitment/profile/video')

/** 3800–5200元/月; one number when both ends are the same; 面议 with neither. */
export function payText(job, t) {
  const { pay_min: lo, pay_max: hi } = job || {}
  if (lo == null && hi == null) return t('recruit.payNegotiable')
  if (lo === hi || hi == null) return t('recruit.payOne', { n: lo ?? hi })
  return t('recruit.payRange', { min: lo, max: hi })
}

/** Where: the township's name (or 全县) and the place. */
export function placeText(job, t) {
  const area = job?.township ? job.township_name || job.township : t('recruit.countyWide')
  return job?.place ? `${area} · ${job.place}` : area
}

/** The county's townships [{code, name}] for the pickers (GET /places/townships: anyone signed in to the county). */
export async function loadTownships() {
  return (await api.get('/places/townships')).items || []
}

/** A township's name from the list, else the code itself. */
export function townshipName(code, townships) {
  return (townships || []).find((x) => x.code === code)?.name || code
}
