// The console's copy of chalicelib/core/tenancy.py (ROLE_LEVEL, CAN_INVITE, PERMISSIONS): it only decides what the
// screens offer; the API decides what is allowed.

export const ROLE_NAMES_ZH = {
  villager: '村民', household_head: '户主', party_member: '党员', grid_leader: '网格长', grid_worker: '专职网格员',
  grid_worker_part: '兼职网格员', grid_instructor: '网格指导员', checkpoint_staff: '卡口值守人员',
  village_admin: '村情通管理员', township_official: '乡镇（街道）干部', county_admin: '县级管理员（大数据局）',
  epidemic_command: '县防疫指挥部', org_department: '组织部', employer: '企业', platform_operator: '平台运营',
}
export const ROLE_NAMES_EN = {
  villager: 'Villager', household_head: 'Household head', party_member: 'Party member', grid_leader: 'Grid leader',
  grid_worker: 'Grid worker (full-time)', grid_worker_part: 'Grid worker (part-time)',
  grid_instructor: 'Grid instructor', checkpoint_staff: 'Checkpoint staff', village_admin: 'Village admin',
  township_official: 'Township official', county_admin: 'County admin', epidemic_command: 'Epidemic command',
  org_department: 'Organisation department', employer: 'Employer', platform_operator: 'Platform operator',
}

const GRID_ROLES = ['grid_leader', 'grid_worker', 'grid_worker_part', 'grid_instructor']

export const ROLE_LEVEL = {
  grid_leader: 'grid', grid_worker: 'grid', grid_worker_part: 'grid', grid_instructor: 'grid',
  checkpoint_staff: 'village', village_admin: 'village', township_official: 'township', county_admin: 'county',
  epidemic_command: 'county', org_department: 'county', employer: 'county', party_member: 'grid',
}

export const CAN_INVITE = {
  county_admin: new Set(['township_official', 'village_admin', 'county_admin', 'epidemic_command', 'org_department',
    'employer', 'checkpoint_staff', ...GRID_ROLES, 'party_member']),
  township_official: new Set(['village_admin', 'checkpoint_staff', ...GRID_ROLES, 'party_member']),
  village_admin: new Set(['checkpoint_staff', 'party_member', ...GRID_ROLES]),
  platform_operator: new Set(['county_admin']),
}

const OFFICE = ['village_admin', 'township_official', 'county_admin']
const FIELD = [...GRID_ROLES, ...OFFICE]
export const PERMISSIONS = {
  'places.read': new Set([...FIELD, 'epidemic_command', 'org_department', 'checkpoint_staff']),
  'places.write': new Set(OFFICE),
  'households.read': new Set([...FIELD, 'epidemic_command']),
  'households.pii': new Set([...GRID_ROLES, 'village_admin']), // full ID and phone numbers; search by number
  'coverage.read': new Set([...FIELD, 'epidemic_command', 'org_department']),
  'staff.read': new Set([...OFFICE, 'grid_leader']),
  'staff.write': new Set(Object.keys(CAN_INVITE)),
  'imports.write': new Set(OFFICE),
  'tenants.admin': new Set(['platform_operator']),
  // Daily report (每日上报): completion and trends; 代报 by grid workers; the county's times; alerts to the command.
  'reports.read': new Set([...FIELD, 'epidemic_command', 'org_department']),
  'reports.proxy': new Set(GRID_ROLES.filter((r) => r !== 'grid_instructor')),
  'reports.settings': new Set(['county_admin', 'epidemic_command']),
  'alerts.read': new Set(['epidemic_command', 'county_admin']),
  'alerts.write': new Set(['epidemic_command']),
  // Scan-to-pass (扫码通行): checkpoint staff scan; offices and the command read the scan logs of their checkpoints.
  'passes.scan': new Set(['checkpoint_staff']),
  'passes.logs': new Set(['checkpoint_staff', ...OFFICE, 'epidemic_command']),
  // Epidemic tip-offs (疫情举报): the village handles them (offices above may too); the county command sees all.
  'tipoffs.read': new Set([...OFFICE, 'epidemic_command']),
  'tipoffs.handle': new Set([...OFFICE, 'epidemic_command']),
  // 党员联户: who links party members to households (at the household's grid).
  'party.link': new Set([...OFFICE, 'grid_leader', 'grid_worker']),
}

/** Order the role select the way people think of them: county first, grid last. */
const ORDER = ['county_admin', 'epidemic_command', 'org_department', 'employer', 'township_official', 'village_admin',
  'checkpoint_staff', 'grid_leader', 'grid_worker', 'grid_worker_part', 'grid_instructor', 'party_member']

/** The level of a place code: county 6 digits, township 9, village 12, grid village+G+2..3 digits. */
export function levelOf(code) {
  if (/^\d{6}$/.test(code || '')) return 'county'
  if (/^\d{9}$/.test(code || '')) return 'township'
  if (/^\d{12}$/.test(code || '')) return 'village'
  if (/^\d{12}G\d{2,3}$/.test(code || '')) return 'grid'
  return null
}

export const CHILD_LEVEL = { county: 'township', township: 'village', village: 'grid', grid: null }

/** Is `place` at or below `scope` (prefix test; a grid covers only itself; '*' covers everything)? */
export function within(place, scope) {
  if (scope === '*') return true
  if (scope.includes('G')) return place === scope
  return place.startsWith(scope)
}

/** Staff grants only (resident grants carry a household). */
function staffGrants(grants) {
  return (grants || []).filter((g) => !g.household)
}

export function can(grants, permission, place) {
  const roles = PERMISSIONS[permission]
  return staffGrants(grants).some((g) => roles.has(g.role) && (place == null || within(place, g.place)))
}

/** Roles the signed-in person may invite at `place`: CAN_INVITE of a grant covering it, placed at the right level. */
export function invitableRoles(grants, place) {
  const level = levelOf(place)
  if (!level) return []
  const out = new Set()
  for (const g of staffGrants(grants)) {
    if (!within(place, g.place)) continue
    for (const r of CAN_INVITE[g.role] || []) if (ROLE_LEVEL[r] === level) out.add(r)
  }
  return ORDER.filter((r) => out.has(r))
}

/** May the signed-in person take away at least one of this staff member's roles? */
export function mayRemove(grants, staffGrantsOfOther) {
  return (staffGrantsOfOther || []).some((o) =>
    staffGrants(grants).some((g) => (CAN_INVITE[g.role] || new Set()).has(o.role) && within(o.place, g.place)))
}

/** The places a person's tree starts from: the topmost places of their grants with `permission`. */
export function rootPlaces(grants, permission) {
  const roles = PERMISSIONS[permission]
  const places = [...new Set(staffGrants(grants).filter((g) => roles.has(g.role)).map((g) => g.place))]
  return places.filter((p) => !places.some((q) => q !== p && within(p, q))).sort()
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
  const roles = new Set(staffGrants(grants).map((g) => g.role))
  return LANDING_ORDER.filter((r) => roles.has(r)).flatMap((r) => LANDING[r])
}

export function roleName(role, locale) {
  return (locale === 'en' ? ROLE_NAMES_EN : ROLE_NAMES_ZH)[role] || role
}
