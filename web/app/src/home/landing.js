// The first page of the phone app after sign-in, from what /api/me says the person may do: grid staff open their
// field work, checkpoint staff the scanner (the server grants passes.scan only where the county uses scan-to-pass),
// everyone else (villagers) the home page.
import { holds } from '@shared/permissions.js'
import { fieldGrids } from '../auth/account.js'

export function landingPath(me) {
  if (fieldGrids(me).length) return '/field'
  if (holds(me, 'passes.scan')) return '/pass/scan'
  return '/'
}
