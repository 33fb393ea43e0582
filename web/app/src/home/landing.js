// The first page of the phone app after sign-in, by role: grid workers open their field work, checkpoint staff the
// scanner (where the county uses scan-to-pass), everyone else (villagers) the home page.
const GRID_ROLES = ['grid_leader', 'grid_worker', 'grid_worker_part', 'grid_instructor']

export function landingPath(me) {
  const roles = new Set((me?.grants ?? []).filter((g) => !g.household).map((g) => g.role))
  if (GRID_ROLES.some((r) => roles.has(r))) return '/field'
  if (roles.has('checkpoint_staff') && (me?.modules ?? []).includes('scan_pass')) return '/pass/scan'
  return '/'
}
