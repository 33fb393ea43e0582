// The county's working-day calendar (chalicelib/workdays/api.py).
import { api } from '@shared/api.js'

/** GET /workdays/{year} → {year, national_source, days: [{date, kind, name, source, note, default_kind}],
 * updated_at}. */
export function getYear(year) {
  return api.get(`/workdays/${encodeURIComponent(year)}`)
}

/** PUT /workdays/{year}/{date} {kind: 'work' | 'off' | null, note} (null: remove the county's entry) → the year. */
export function setDay(date, body) {
  return api.put(`/workdays/${encodeURIComponent(date.slice(0, 4))}/${encodeURIComponent(date)}`, body)
}
