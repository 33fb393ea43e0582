// Roles as the signed-in person meets them, all from /api/me: their names (`me.roles`) and whom the person may
// appoint or remove, where (`me.appoint`). Who may do what is decided by the server (chalicelib/core/tenancy.py and
// the modules' manifests); nothing here repeats those rules. Also which page each role lands on: a choice of the
// console, not a rule (a page is only offered when /api/me grants its permission).
import { levelOf, within } from '@shared/placeCodes.js'

const appointable = (me) => (Array.isArray(me?.appoint) ? me.appoint : [])
const placedUnder = (a, place) => Array.isArray(a.places) && a.places.some((p) => within(place, p))

/** A role's name in the locale, from /api/me `roles` (the id when unknown). */
export function roleName(me, role, locale) {
  const r = (me?.roles || []).find((x) => x.id === role)
  return (r && (locale === 'en' ? r.name_en : r.name)) || role
}

/** The roles `me` may appoint at `place`, in the server's order: placed at that level, under one of their places. */
export function invitableRoles(me, place) {
  const level = levelOf(place)
  if (!level) return []
  return [...new Set(appointable(me).filter((a) => a.level === level && placedUnder(a, place)).map((a) => a.role))]
}

/** May `me` take away at least one of another person's staff roles (their grants, as GET /staff lists them)? */
export function mayRemove(me, otherGrants) {
  return (otherGrants || []).some((o) => !o.household
    && appointable(me).some((a) => a.role === o.role && placedUnder(a, o.place)))
}

// The first page of each role after sign-in, by preference (the first one the person may use wins): the command
// watches its alerts, the county and township offices the completion, the operator the counties. A person with
// several roles lands where the widest of them does (LANDING_ORDER); roles not listed get the first page they may use.
export const LANDING = {
  platform_operator: ['counties'],
  epidemic_command: ['alerts', 'reports'],
  county_admin: ['reports', 'coverage'],
  org_department: ['coverage', 'reports'],
  township_official: ['reports', 'coverage'],
  village_admin: ['reports', 'households'],
  grid_leader: ['reports', 'households'],
  grid_worker: ['reports', 'households'],
  grid_worker_part: ['reports', 'households'],
  grid_instructor: ['reports', 'households'],
}
const LANDING_ORDER = ['platform_operator', 'epidemic_command', 'county_admin', 'org_department', 'township_official',
  'village_admin', 'grid_leader', 'grid_worker', 'grid_worker_part', 'grid_instructor']

/** The page names a person should land on, in order of preference (from their staff roles). */
export function landingPages(grants) {
  const roles = new Set((grants || []).filter((g) => !g.household).map((g) => g.role))
  return LANDING_ORDER.filter((r) => roles.has(r)).flatMap((r) => LANDING[r])
}
