// Dates a user sees are in Asia/Shanghai, whatever the phone's own time zone.
export function formatDateTime(iso, locale = 'zh-CN') {
  if (!iso) return ''
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso))
}

export function formatDate(iso, locale = 'zh-CN') {
  if (!iso) return ''
  return new Intl.DateTimeFormat(locale, { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit',
    day: '2-digit' }).format(new Date(iso))
}

export function percent(rate) {
  return `${Math.round((rate || 0) * 1000) / 10}%`
}
