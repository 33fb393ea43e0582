// A county's link leads to its cell. The platform runs in cells (one per region of a stage, each with its own web
// app and API on one origin), and a county lives in one of them. Its QR code or SMS link, `<any cell>/?county=330825`
// (the console's `<any cell>/console/?county=330825`), opens whichever cell it names; the page asks the stage's
// cells' directory (directory.json, named by the cell's /site.json: docs/deploy.md, "Cells") where the county lives
// and, when that is another cell, replaces itself with the same page there before showing anything. In its own cell
// the page remembers the county, so that sign-in opens it for a person who belongs to several.

const CODE = /^\d{6}$/
const KEY = 'cqt.county' // {code, at}: the county a link opened here
const REMEMBER_MS = 7 * 24 * 3600 * 1000 // a link opened this week, not a preference for ever
const TIMEOUT_MS = 8000 // a slow network: open this cell's page rather than a blank one

const STAY = Object.freeze({ url: null, here: false, unknown: false })

/** The county code a link carries (`?county=`), as given; null without one. */
export function countyInLink(location = window.location) {
  return new URLSearchParams(location.search).get('county')
}

/** The directory's URL from /site.json: an https URL, or a path on this origin (the local stack); null otherwise. */
function directoryUrl(site, location) {
  const given = site?.directory
  if (typeof given !== 'string' || !given) return null
  if (given.startsWith('/') && !given.startsWith('//')) return new URL(given, location.origin).href
  try {
    const url = new URL(given)
    return url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}

/** The origin of an entry's web app, when it is one a page may be sent to. */
function webOrigin(entry, location) {
  if (typeof entry?.web !== 'string') return null
  try {
    const url = new URL(entry.web)
    // https everywhere; plain http only from a plain-http page (the local stack)
    const ok = url.protocol === 'https:' || (url.protocol === 'http:' && location.protocol === 'http:')
    return ok && !url.username && !url.password ? url : null
  } catch {
    return null
  }
}

/**
 * Where county `code`'s page is. Resolves to {url, here, unknown}:
 * - url: the same page (path, query and hash) in the county's cell when that is another one, to go to at once;
 * - here: the county lives in this cell;
 * - unknown: the code is not a county code, or the directory does not list it (the page says so).
 * When the site names no directory, the directory cannot be read (offline, slow, malformed), or names no address
 * for the county's cell, all three are empty: the page stays where it is.
 */
export async function routeCounty(code, { site, fetchImpl = globalThis.fetch, location = window.location,
  timeoutMs = TIMEOUT_MS } = {}) {
  if (typeof code !== 'string' || !CODE.test(code)) return { ...STAY, unknown: true }
  const source = directoryUrl(site, location)
  if (!source) return STAY
  let directory
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), timeoutMs)
  try {
    const res = await fetchImpl(source, { cache: 'no-cache', credentials: 'omit', signal: abort.signal })
    if (!res.ok) return STAY
    directory = await res.json()
  } catch {
    return STAY
  } finally {
    clearTimeout(timer)
  }
  const counties = directory?.counties
  if (!counties || typeof counties !== 'object' || Array.isArray(counties)) return STAY
  if (!Object.hasOwn(counties, code)) return { ...STAY, unknown: true }
  const entry = counties[code]
  if (!entry || typeof entry !== 'object') return STAY
  const web = webOrigin(entry, location)
  if (web && web.origin !== location.origin) {
    const base = web.origin + web.pathname.replace(/\/+$/, '')
    return { ...STAY, url: base + location.pathname + location.search + location.hash }
  }
  // Its web app is this origin: here (even if its cell id differs: going "there" would load this very page again).
  if (web || entry.cell === site.cell) return { ...STAY, here: true }
  return STAY // another cell without an address yet
}

/** Remember the county a link opened in this cell (sign-in prefers it). */
export function rememberCounty(code, storage = globalThis.localStorage, now = Date.now()) {
  try {
    storage.setItem(KEY, JSON.stringify({ code, at: now }))
  } catch {
    // private mode or full: sign-in asks as usual
  }
}

/** The county a link opened here this week, once: it is forgotten as it is read. */
export function takeRememberedCounty(storage = globalThis.localStorage, now = Date.now()) {
  try {
    const kept = JSON.parse(storage.getItem(KEY))
    storage.removeItem(KEY)
    const fresh = kept && CODE.test(kept.code) && now - kept.at >= 0 && now - kept.at < REMEMBER_MS
    return fresh ? kept.code : null
  } catch {
    return null
  }
}

/**
 * On a page's start, before its router: follow a county link. Without `?county=` nothing happens (null). Otherwise
 * resolves to routeCounty's answer for the page as it was opened, and a county of this cell is remembered. The
 * page's router drops the code from the address (so that it does not follow the person through sign-in).
 */
export async function followCountyLink({ loadSite, fetchImpl = globalThis.fetch, location = window.location,
  storage = globalThis.localStorage } = {}) {
  const code = countyInLink(location)
  if (code === null) return null
  const { origin, protocol, pathname, search, hash } = location // as opened: the router may change it meanwhile
  const site = await loadSite()
  const found = await routeCounty(code, { site, fetchImpl, location: { origin, protocol, pathname, search, hash } })
  if (found.here) rememberCounty(code, storage)
  return found
}

/** A router guard: the address without `?county=` once the page has followed it (followCountyLink). */
export function withoutCountyLink(to) {
  if (!Object.hasOwn(to.query, 'county')) return true
  const { county: _, ...query } = to.query
  return { path: to.path, query, hash: to.hash, replace: true }
}
