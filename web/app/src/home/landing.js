// The first page of the phone app after sign-in, from what /api/me says the person may do: grid staff open their
// field work, checkpoint staff the scanner (the server grants passes.scan only where the county uses scan-to-pass),
// employers without a household of the county 企业招聘, everyone else (villagers) the home page.
import { holds } from '@shared/permissions.js'
import { fieldGrids } from '../auth/account.js'

export function landingPath(me) {
  if (fieldGrids(me).length) return '/field'
  if (holds(me, 'passes.scan')) return '/pass/scan'
  // an employer (the county verified their account) opens 企业招聘 unless they also live here (a household's home)
  if (holds(me, 'recruitment.hire') && !(me.grants ?? []).some((g) => g.household)) return '/employer'
  return '/'
}
