// Places seen by the console, kept for the session: a place, the children of a place, and their names (for codes
// that lists carry without a name, e.g. the village of a tip-off or of a scanned pass). Places change rarely; a
// failed load is forgotten so that the next call tries again.
import { reactive } from 'vue'
import { childrenOf, getPlace } from './placesApi.js'

/** code → name of every place loaded so far (reactive: templates update as names arrive). */
export const placeNames = reactive({})
const places = new Map()
const children = new Map()

function remember(map, code, promise) {
  map.set(code, promise)
  promise.catch(() => map.delete(code))
  return promise
}

export function loadPlace(code) {
  if (places.has(code)) return places.get(code)
  return remember(places, code, getPlace(code).then((p) => {
    placeNames[p.code] = p.name
    return p
  }))
}

export function loadChildren(code) {
  if (children.has(code)) return children.get(code)
  return remember(children, code, childrenOf(code).then((list) => {
    for (const p of list) placeNames[p.code] = p.name
    return list
  }))
}

/** Load the names of the codes not known yet (failures are left out: the code is shown instead). */
export async function ensureNames(codes) {
  const missing = [...new Set((codes || []).filter((c) => c && !(c in placeNames)))]
  await Promise.allSettled(missing.map(loadPlace))
}

/** The name of a place, or its code while the name is unknown. */
export function nameOf(code) {
  return (code && placeNames[code]) || code || ''
}

export function clearPlaceCache() {
  places.clear()
  children.clear()
  for (const k of Object.keys(placeNames)) delete placeNames[k]
}
