// 红黑榜's console routes (chalicelib/boards/api.py): the county's criteria, a village's monthly draft and its
// publishing, the village's board settings, and the appeals the village's cadres decide.
import { api } from '@shared/api.js'

const v = (village) => encodeURIComponent(village)

/** GET /boards/criteria → {criteria, version, default, updated_at}. */
export const getCriteria = () => api.get('/boards/criteria')

/** PUT /boards/criteria {criteria, version} (409 version_conflict when someone saved meanwhile). */
export const setCriteria = (criteria, version) => api.put('/boards/criteria', { criteria, version })

/** GET /boards/villages/{village}/{month}/draft → the draft (red, black, ranking, published, changed). */
export const getDraft = (village, month) => api.get(`/boards/villages/${v(village)}/${encodeURIComponent(month)}/draft`)

/** POST /boards/villages/{village}/{month}/publish {note?} (Idempotency-Key) → Board. */
export const publishBoard = (village, month, body, idempotencyKey) =>
  api.post(`/boards/villages/${v(village)}/${encodeURIComponent(month)}/publish`, body, { idempotencyKey })

/** GET /boards/villages/{village}/{month} → the published Board (404 none). */
export const getBoard = (village, month) => api.get(`/boards/villages/${v(village)}/${encodeURIComponent(month)}`)

/** GET/PUT /boards/villages/{village}/settings → Settings. */
export const getSettings = (village) => api.get(`/boards/villages/${v(village)}/settings`)
export const setSettings = (village, body) => api.put(`/boards/villages/${v(village)}/settings`, body)

/** GET /boards/villages/{village}/appeals → {items (oldest first), next_cursor}. */
export const getAppeals = (village, cursor = null) =>
  api.get(`/boards/villages/${v(village)}/appeals?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)

/** GET /boards/households/{hid}/history → {household, items: [Record], next_cursor}. */
export const getHistory = (hid) => api.get(`/boards/households/${encodeURIComponent(hid)}/history?limit=20`)

/** POST /boards/inspections/{iid}/decision {outcome, note, scores?} (Idempotency-Key) → the appealed Record. */
export const decideAppeal = (iid, body, idempotencyKey) =>
  api.post(`/boards/inspections/${encodeURIComponent(iid)}/decision`, body, { idempotencyKey })

/** This month in Asia/Shanghai, "YYYY-MM". */
export function thisMonth(date = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .formatToParts(date)
  return `${parts.find((p) => p.type === 'year').value}-${parts.find((p) => p.type === 'month').value}`
}

/** Σ weight × score / max_score, one decimal (the server's total); null while a score is missing. */
export function weightedTotal(criteria, scores) {
  let sum = 0
  for (const c of criteria ?? []) {
    const s = scores?.[c.key]
    if (!Number.isInteger(s)) return null
    sum += (c.weight * s) / c.max_score
  }
  return Math.round(sum * 10) / 10
}

export const totalText = (n) => (n == null ? '—' : Number(n).toFixed(1))
export const breakdownText = (breakdown) => (breakdown ?? []).map((b) => `${b.name} ${b.score}/${b.max_score}`).join(' · ')
