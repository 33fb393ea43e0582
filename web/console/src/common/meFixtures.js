// Test data: GET /api/me as the server answers it for a few people (their grants, the county's switched-on modules).
// Written down from the server's answer (chalicelib/core/tenancy.py permission_places / appointable, and the
// modules' manifests) when the console stopped keeping its own copy of the role rules: these are answers, not rules.
// Only the fields the console reads are here.

const ALL_MODULES = ['daily_report', 'scan_pass', 'tipoffs', 'snaps']

export const ROLES = [
  { id: 'platform_operator', name: '平台运营', name_en: 'Platform operator', level: null },
  { id: 'county_admin', name: '县级管理员（大数据局）', name_en: 'County admin', level: 'county' },
  { id: 'epidemic_command', name: '县防疫指挥部', name_en: 'Epidemic command', level: 'county' },
  { id: 'org_department', name: '组织部', name_en: 'Organisation department', level: 'county' },
  { id: 'employer', name: '企业', name_en: 'Employer', level: 'county' },
  { id: 'township_official', name: '乡镇（街道）干部', name_en: 'Township official', level: 'township' },
  { id: 'village_admin', name: '村情通管理员', name_en: 'Village admin', level: 'village' },
  { id: 'checkpoint_staff', name: '卡口值守人员', name_en: 'Checkpoint staff', level: 'village' },
  { id: 'grid_leader', name: '网格长', name_en: 'Grid leader', level: 'grid' },
  { id: 'grid_worker', name: '专职网格员', name_en: 'Grid worker (full-time)', level: 'grid' },
  { id: 'grid_worker_part', name: '兼职网格员', name_en: 'Grid worker (part-time)', level: 'grid' },
  { id: 'grid_instructor', name: '网格指导员', name_en: 'Grid instructor', level: 'grid' },
  { id: 'party_member', name: '党员', name_en: 'Party member', level: 'grid' },
  { id: 'household_head', name: '户主', name_en: 'Household head', level: null },
  { id: 'villager', name: '村民', name_en: 'Villager', level: null },
]

/** The same places for several permissions. */
const at = (places, permissions) => Object.fromEntries(permissions.map((p) => [p, places]))
/** Several roles appointable at one level under the same places. */
const appoint = (level, places, roles) => roles.map((role) => ({ role, level, places }))

function me(name, grants, modules, { permissions = {}, appoint: appointable = [] } = {}) {
  return { tenant: '330825', county_name: '龙游县', user_id: `u-${name}`, name, grants, modules,
    memberships: [{ tenant: '330825', name: '龙游县' }], permissions, appoint: appointable, roles: ROLES }
}

const AT_GRID = ['grid_leader', 'grid_worker', 'grid_worker_part', 'grid_instructor', 'party_member']

export const COUNTY_ADMIN = me('周县管', [{ role: 'county_admin', place: '330825' }], ALL_MODULES, {
  permissions: at(['330825'], ['tenant.read', 'places.read', 'places.write', 'households.read', 'households.write',
    'coverage.read', 'staff.read', 'staff.write', 'imports.write', 'reports.read', 'reports.settings', 'alerts.read',
    'party.link', 'passes.logs', 'tipoffs.read', 'tipoffs.handle', 'snaps.read', 'snaps.handle', 'cases.configure',
    'workdays.read', 'workdays.write', 'errands.configure']),
  appoint: [
    ...appoint('county', ['330825'], ['county_admin', 'epidemic_command', 'org_department', 'employer']),
    ...appoint('township', ['330825'], ['township_official']),
    ...appoint('village', ['330825'], ['village_admin', 'checkpoint_staff']),
    ...appoint('grid', ['330825'], AT_GRID),
  ],
})

export const COMMAND = me('郑防疫', [{ role: 'epidemic_command', place: '330825' }], ALL_MODULES, {
  permissions: at(['330825'], ['tenant.read', 'places.read', 'households.read', 'coverage.read', 'reports.read',
    'reports.settings', 'alerts.read', 'alerts.write', 'passes.logs', 'tipoffs.read', 'tipoffs.handle',
    'workdays.read']),
})

export const ORG_DEPARTMENT = me('吴组织', [{ role: 'org_department', place: '330825' }], ALL_MODULES, {
  permissions: at(['330825'], ['tenant.read', 'places.read', 'coverage.read', 'reports.read', 'workdays.read']),
})

export const TOWNSHIP = me('邵乡干', [{ role: 'township_official', place: '330825001' }], ALL_MODULES, {
  permissions: at(['330825001'], ['tenant.read', 'places.read', 'places.write', 'households.read', 'households.write',
    'coverage.read', 'staff.read', 'staff.write', 'imports.write', 'reports.read', 'party.link', 'passes.logs',
    'tipoffs.read', 'tipoffs.handle', 'snaps.read', 'snaps.handle', 'workdays.read']),
  appoint: [
    ...appoint('village', ['330825001'], ['village_admin', 'checkpoint_staff']),
    ...appoint('grid', ['330825001'], AT_GRID),
  ],
})

const VILLAGE_PERMISSIONS = ['tenant.read', 'places.read', 'places.write', 'households.read', 'households.write',
  'households.pii', 'coverage.read', 'staff.read', 'staff.write', 'imports.write', 'reports.read', 'party.link',
  'passes.logs', 'workdays.read']

export const VILLAGE_ADMIN = me('张村管', [{ role: 'village_admin', place: '330825001201' }], ALL_MODULES, {
  permissions: at(['330825001201'], [...VILLAGE_PERMISSIONS, 'tipoffs.read', 'tipoffs.handle', 'snaps.read',
    'snaps.handle']),
  appoint: [
    ...appoint('village', ['330825001201'], ['checkpoint_staff']),
    ...appoint('grid', ['330825001201'], AT_GRID),
  ],
})

/** A village admin of a county that switched tip-offs off: the server leaves tipoffs.* out. */
export const VILLAGE_ADMIN_NO_TIPOFFS = me('团村管', [{ role: 'village_admin', place: '330825002201' }],
  ['daily_report', 'scan_pass'], {
    permissions: at(['330825002201'], VILLAGE_PERMISSIONS),
    appoint: [
      ...appoint('village', ['330825002201'], ['checkpoint_staff']),
      ...appoint('grid', ['330825002201'], AT_GRID),
    ],
  })

export const CHECKPOINT = me('团卡口', [{ role: 'checkpoint_staff', place: '330825002201' }], ALL_MODULES, {
  permissions: at(['330825002201'], ['places.read', 'passes.scan', 'passes.logs']),
})

export const GRID_WORKER = me('毛网格', [{ role: 'grid_worker', place: '330825001201G01' }], ALL_MODULES, {
  permissions: at(['330825001201G01'], ['places.read', 'households.read', 'households.write', 'households.pii',
    'coverage.read', 'reports.read', 'reports.proxy', 'party.link', 'snaps.read', 'snaps.handle']),
})

/** Two roles: the permissions are those of both, each at its topmost places. */
export const VILLAGE_ADMIN_AND_COMMAND = me('张村管',
  [{ role: 'village_admin', place: '330825001201' }, { role: 'epidemic_command', place: '330825' }], ALL_MODULES, {
    permissions: {
      ...at(['330825'], ['tenant.read', 'places.read', 'households.read', 'coverage.read', 'reports.read',
        'reports.settings', 'alerts.read', 'alerts.write', 'passes.logs', 'tipoffs.read', 'tipoffs.handle',
        'workdays.read']),
      ...at(['330825001201'], ['places.write', 'households.write', 'households.pii', 'staff.read', 'staff.write',
        'imports.write', 'party.link', 'snaps.read', 'snaps.handle']),
    },
    appoint: [
      ...appoint('village', ['330825001201'], ['checkpoint_staff']),
      ...appoint('grid', ['330825001201'], AT_GRID),
    ],
  })

export const VILLAGER = me('王村民', [{ role: 'villager', place: '330825001201G01', household: 'h1' }], ALL_MODULES)

export const OPERATOR = me('平台运营', [{ role: 'platform_operator', place: '*' }], [], {
  permissions: at(['*'], ['tenants.admin', 'staff.write']),
  appoint: appoint('county', ['*'], ['county_admin']),
})
