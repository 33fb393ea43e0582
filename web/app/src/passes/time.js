// Times at the checkpoint as the county reads them: Asia/Shanghai, whatever the phone's own time zone.
const ZONE = 'Asia/Shanghai'

/** "09:05:07" (hourCycle h23: midnight is 00, not 24). */
export function formatClock(iso, locale = 'zh-CN') {
  if (!iso) return ''
  return new Intl.DateTimeFormat(locale, {
    timeZone: ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).format(new Date(iso))
}
