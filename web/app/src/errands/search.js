// Finding an item of the 网上代办 catalogue on the phone as one types: the query (trimmed, lowercase) is looked for in
// the item's name, department and keywords, and in the pinyin initials of its name (the server computes `initials`:
// 生育登记 → "sydj"), so "sydj", "sy", "准生证" and "卫健" all find 生育登记. Pure functions: no IO, no Vue.

/** The query as compared: trimmed, lowercase, inner spaces kept for the texts (dropped for the initials). */
export function normalise(query) {
  return String(query ?? '').trim().toLowerCase()
}

/** Does `item` (a catalogue Summary) match the query? An empty query matches everything. */
export function matches(item, query) {
  const q = normalise(query)
  if (!q) return true
  const texts = [item.name, item.department, ...(item.keywords || [])]
  if (texts.some((s) => String(s || '').toLowerCase().includes(q))) return true
  const letters = q.replace(/\s+/g, '')
  return /^[a-z]+$/.test(letters) && String(item.initials || '').includes(letters)
}

/** The items that match, in the catalogue's order. */
export function search(items, query) {
  return (items || []).filter((item) => matches(item, query))
}

/** Items grouped by department: [{department, items}], departments in the order they first appear. */
export function byDepartment(items) {
  const groups = new Map()
  for (const item of items || []) {
    const d = item.department || ''
    if (!groups.has(d)) groups.set(d, [])
    groups.get(d).push(item)
  }
  return [...groups].map(([department, list]) => ({ department, items: list }))
}
