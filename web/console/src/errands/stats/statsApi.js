// 网上代办统计's routes (chalicelib/errands/api.py: stats_report, stats_export).
import { api } from '@shared/api.js'

/** GET /errands/stats → {month, place, rows: [Row per township × item], items: [Row per item], total: Row}
 * Row: {township, township_name, item, item_name, applied, decided, approved, refused, within_limit, days_sum,
 * to_door, at_point, within_limit_rate (0–1 | null), avg_days (working days | null), to_door_share (0–1 | null)} */
export function errandStats(place, month) {
  return api.get(`/errands/stats?${new URLSearchParams({ place, month })}`)
}

/** POST /errands/stats/export {place, month} → {url (the workbook, valid 10 minutes), filename} */
export function exportErrandStats(place, month) {
  return api.post('/errands/stats/export', { place, month })
}
