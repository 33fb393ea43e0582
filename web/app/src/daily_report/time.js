// Times of the daily report as a person in the county reads them: Asia/Shanghai, whatever the phone's time zone.
// hourCycle h23, not hour12: false (which writes midnight as 24:30 in English).
const ZONE = 'Asia/Shanghai'

/** "09:05" */
export function formatTime(iso, locale = 'zh-CN') {
  if (!iso) return ''
  return new Intl.DateTimeFormat(locale, { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(iso))
}

/** "11月29日" / "Nov 29" for a YYYY-MM-DD day (a calendar day of the county, not an instant). */
export function formatDay(day, locale = 'zh-CN') {
  if (!day) return ''
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', day: 'numeric' })
    .format(new Date(`${day}T00:00:00Z`))
}

/** Today's date in the county, YYYY-MM-DD. */
export function shanghaiToday(now = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(now)
}
