// Pure helpers of the alerts page.

export const STATUSES = ['open', 'acknowledged', 'closed']

/** Open alerts in `items` that are not in `seen` (a Set of ids); adds every id of `items` to `seen`. */
export function freshAlerts(items, seen) {
  const fresh = (items || []).filter((a) => !seen.has(a.id))
  for (const a of items || []) seen.add(a.id)
  return fresh
}

/** The members of an alert, each through `fmt` (e.g. '王建国（红码）'), joined by `sep`. */
export function membersText(alert, fmt, sep = '、') {
  return (alert.members || []).map(fmt).join(sep)
}
