// The households a person reports for, kept on the phone (address, head and member names only: no ID or phone
// numbers) so the report form opens without a signal. Per signed-in person; the most recent 30.
import { NetworkError, api } from '@shared/api.js'
import { readMine, writeMine } from '@shared/kept.js'

const KEY = 'cqt.report.households'
const MAX = 30

function read() {
  const items = readMine(KEY)?.items
  return Array.isArray(items) ? items : []
}

function slim(h) {
  return {
    id: h.id, grid: h.grid, address: h.address, head_name: h.head_name,
    members: (h.members ?? []).map((m) => ({ id: m.id, name: m.name, relation: m.relation })),
  }
}

/** Keep a household as the form shows it (GET /households/{hid} or GET /reports/form's `household`). */
export function remember(h) {
  writeMine(KEY, { items: [slim(h), ...read().filter((x) => x.id !== h.id)].slice(0, MAX) })
}

/** The copy kept on this phone (marked `offline: true`), or null. */
export function keptHousehold(hid) {
  const kept = read().find((x) => x.id === hid)
  return kept ? { ...kept, offline: true } : null
}

/** GET /households/{hid}; without a signal, the copy kept on the phone (marked `offline: true`) if there is one. */
export async function loadHousehold(hid) {
  try {
    const h = await api.get(`/households/${encodeURIComponent(hid)}`)
    remember(h)
    return h
  } catch (e) {
    const kept = e instanceof NetworkError && read().find((x) => x.id === hid)
    if (kept) return { ...kept, offline: true }
    throw e
  }
}
