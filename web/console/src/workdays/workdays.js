// 工作日历: pure helpers of the page — the year in Beijing time, weekdays of plain dates (a date of the calendar is a
// day in the county, not an instant: no time zone is applied to it), what a day is without the county's entry, the
// checks of PUT /workdays/{year}/{date} (chalicelib/workdays/schemas.py WorkdayIn) and its body.

export const FIRST_YEAR = 2000
export const LAST_YEAR = 2100
export const NOTE_MAX = 100
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** The year it is now in Asia/Shanghai. */
export function shanghaiYear(now = new Date()) {
  return Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(now))
}

/** A YYYY-MM-DD that is a real date, as a Date at 00:00 UTC (null otherwise). */
export function parseDay(iso) {
  const m = DATE.exec(iso || '')
  if (!m) return null
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? d : null
}

/** 0 (Sunday) … 6 (Saturday) of a plain date. */
export function weekdayOf(iso) {
  return parseDay(iso)?.getUTCDay() ?? null
}

/** A plain date as the console shows dates (2026/10/01; en: 10/01/2026). */
export function formatDay(iso, locale = 'zh-CN') {
  const d = parseDay(iso)
  if (!d) return iso || ''
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(d)
}

/** What a day is without the county's entry: the national arrangement if the year's list has it, else Mon–Fri. */
export function defaultKind(iso, days = []) {
  const listed = days.find((d) => d.date === iso)
  if (listed) return listed.default_kind
  const w = weekdayOf(iso)
  return w === null ? null : w >= 1 && w <= 5 ? 'work' : 'off'
}

/** The county's entry of a day, if any. */
export function countyEntry(iso, days = []) {
  return days.find((d) => d.date === iso && d.source === 'county') || null
}

/** {field: i18n key} of what is wrong with a day to set in `year`; {} when it may be sent. */
export function checkDay({ date, kind, note }, year) {
  const out = {}
  const d = parseDay(date)
  if (!d) out.date = 'workdays.check.date'
  else if (d.getUTCFullYear() !== Number(year)) out.date = 'workdays.check.year'
  if (kind !== 'work' && kind !== 'off') out.kind = 'workdays.check.kind'
  if ((note || '').trim().length > NOTE_MAX) out.note = 'workdays.check.note'
  return out
}

/** The body of PUT /workdays/{year}/{date}: a kind and the note (none when empty). */
export function dayBody({ kind, note }) {
  const n = (note || '').trim()
  return { kind, note: n || null }
}

/** Counts for the summary line: days off and working days that differ from Mon–Fri, and the county's entries. */
export function summary(days = []) {
  return {
    off: days.filter((d) => d.kind === 'off').length,
    work: days.filter((d) => d.kind === 'work').length,
    county: days.filter((d) => d.source === 'county').length,
  }
}
