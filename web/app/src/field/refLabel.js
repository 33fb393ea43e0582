// Household numbers as a grid worker reads them: a number the system gave (village code + sequence,
// 330825001201-0173) is shown without the village code its list already implies; a county's own number as it is.
export function shortRef(ref, village) {
  if (!ref) return ''
  return village && ref.startsWith(`${village}-`) ? ref.slice(village.length + 1) : ref
}

// Warnings the server gave when a household was saved (a likely duplicate address), kept for the page that opens
// next; read once.
const pending = new Map()

export function rememberWarnings(hid, warnings) {
  if (hid && warnings?.length) pending.set(hid, warnings)
}

export function takeWarnings(hid) {
  const w = pending.get(hid) || []
  pending.delete(hid)
  return w
}
