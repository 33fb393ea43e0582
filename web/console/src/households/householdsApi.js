// The households routes the console uses (chalicelib/households/api.py), and today's report of a household
// (chalicelib/daily_report/api.py GET /reports/today).
import { api } from '@shared/api.js'

/**
 * GET /members?q= → {items: [Person], next_cursor}: members by name (its beginning) or by a whole ID or phone
 * number, across every place the caller may read households at (or `place`). A Person is a member (ID and phone
 * masked unless the role may see them) with its household and the names of its village, grid and township.
 */
export function findPeople(q, { place = null, cursor = null, limit = 20 } = {}) {
  const qs = new URLSearchParams({ q, limit: String(limit) })
  if (place) qs.set('place', place)
  if (cursor) qs.set('cursor', cursor)
  return api.get(`/members?${qs}`)
}

export function getHousehold(id) {
  return api.get(`/households/${encodeURIComponent(id)}`)
}

/** GET /reports/today?household= → {date, cutoff, report: Report | null} */
export function todayReport(id) {
  return api.get(`/reports/today?${new URLSearchParams({ household: id })}`)
}

/**
 * What the household page shows of today: reported or not, when and by whom, and each member's colour
 * ({memberId: 'green' | 'yellow' | 'red'}). `today` is the answer of todayReport, or null when it could not be read.
 */
export function todayStatus(today) {
  if (!today) return { state: 'unknown', colours: {} }
  const r = today.report
  if (!r) return { state: 'missing', cutoff: today.cutoff, colours: {} }
  return {
    state: 'reported',
    at: r.submitted_at,
    by: r.by_name,
    proxy: Boolean(r.proxy),
    level: r.level,
    colours: Object.fromEntries((r.members || []).map((m) => [m.member, m.colour])),
  }
}

/** 08:30 — the time of day in Asia/Shanghai (for today's report: the date goes without saying). */
export function timeOfDay(iso, locale = 'zh-CN') {
  if (!iso) return ''
  return new Intl.DateTimeFormat(locale, { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(iso))
}
