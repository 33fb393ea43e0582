// A suspended county (403 county_disabled from any request): both apps show one clear page instead of a cached
// home or a silent sign-out, with the county's name and whom to contact, until the county is enabled again.
import { reactive } from 'vue'
import { api, onCountySuspended } from './api.js'

export const suspension = reactive({ active: false, county: '', countyName: '', contact: '', since: null })

onCountySuspended((d) => {
  Object.assign(suspension, {
    active: true,
    county: d.county || '',
    countyName: d.county_name || '',
    contact: d.contact || '',
    since: d.since || null,
  })
})

export function clearSuspension() {
  Object.assign(suspension, { active: false, county: '', countyName: '', contact: '', since: null })
}

/** Ask again (GET /me): when the county is back, the page goes away; while it is not, it stays. */
export async function checkAgain() {
  try {
    await api.get('/me')
    clearSuspension()
    return true
  } catch {
    return !suspension.active
  }
}
