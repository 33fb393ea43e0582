import { describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { invitableRoles, landingPages, mayRemove, roleName } from './roles.js'
import { useAuth } from './store.js'
import {
  CHECKPOINT, COMMAND, COUNTY_ADMIN, GRID_WORKER, OPERATOR, ROLES, TOWNSHIP, VILLAGE_ADMIN, VILLAGE_ADMIN_AND_COMMAND,
  VILLAGER,
} from '../common/meFixtures.js'

describe('invitableRoles follows /api/me appoint', () => {
  it('county admin at the county: the county-level roles, in the server order', () => {
    expect(invitableRoles(COUNTY_ADMIN, '330825')).toEqual(
      ['county_admin', 'epidemic_command', 'org_department', 'employer'])
  })
  it('county admin at a township / village / grid: the roles placed at that level', () => {
    expect(invitableRoles(COUNTY_ADMIN, '330825001')).toEqual(['township_official'])
    expect(invitableRoles(COUNTY_ADMIN, '330825001201')).toEqual(['village_admin', 'checkpoint_staff'])
    expect(invitableRoles(COUNTY_ADMIN, '330825001201G01')).toEqual(
      ['grid_leader', 'grid_worker', 'grid_worker_part', 'grid_instructor', 'party_member'])
  })
  it('township official: nothing at its own level or above, nothing in another township', () => {
    expect(invitableRoles(TOWNSHIP, '330825')).toEqual([])
    expect(invitableRoles(TOWNSHIP, '330825001')).toEqual([])
    expect(invitableRoles(TOWNSHIP, '330825001201')).toEqual(['village_admin', 'checkpoint_staff'])
    expect(invitableRoles(TOWNSHIP, '330825002101')).toEqual([])
  })
  it('village admin: checkpoint staff in its village, grid roles in its grids only', () => {
    expect(invitableRoles(VILLAGE_ADMIN, '330825001201')).toEqual(['checkpoint_staff'])
    expect(invitableRoles(VILLAGE_ADMIN, '330825001201G02')).toContain('grid_worker')
    expect(invitableRoles(VILLAGE_ADMIN, '330825001202G01')).toEqual([])
  })
  it('the operator appoints county admins in any county', () => {
    expect(invitableRoles(OPERATOR, '330881')).toEqual(['county_admin'])
    expect(invitableRoles(OPERATOR, '330881001')).toEqual([])
  })
  it('nobody to appoint: grid workers, the command, residents, an unknown place, no me or an older me', () => {
    for (const m of [GRID_WORKER, COMMAND, VILLAGER, null, { grants: VILLAGE_ADMIN.grants }]) {
      expect(invitableRoles(m, '330825001201G01')).toEqual([])
    }
    expect(invitableRoles(COUNTY_ADMIN, 'nowhere')).toEqual([])
  })
})

describe('mayRemove: someone holding a role one may appoint, where one may appoint it', () => {
  it('checks the role and the place', () => {
    expect(mayRemove(VILLAGE_ADMIN, [{ role: 'grid_worker', place: '330825001201G01' }])).toBe(true)
    expect(mayRemove(VILLAGE_ADMIN, [{ role: 'village_admin', place: '330825001201' }])).toBe(false)
    expect(mayRemove(VILLAGE_ADMIN, [{ role: 'grid_worker', place: '330825001202G01' }])).toBe(false)
    expect(mayRemove(TOWNSHIP, [{ role: 'grid_worker', place: '330825002101G01' }])).toBe(false)
    expect(mayRemove(TOWNSHIP, [{ role: 'village_admin', place: '330825002101' },
      { role: 'grid_worker', place: '330825001201G01' }])).toBe(true) // one of them is enough
  })
  it('a resident grant is not a staff role (the server takes away staff roles only)', () => {
    expect(mayRemove(VILLAGE_ADMIN, [{ role: 'party_member', place: '330825001201G01', household: 'h1' }])).toBe(false)
    expect(mayRemove(VILLAGE_ADMIN, [{ role: 'party_member', place: '330825001201G01' }])).toBe(true)
  })
  it('nobody without appoint', () => {
    expect(mayRemove(GRID_WORKER, [{ role: 'grid_worker', place: '330825001201G01' }])).toBe(false)
    expect(mayRemove(null, [{ role: 'grid_worker', place: '330825001201G01' }])).toBe(false)
  })
})

describe('roleName reads /api/me roles', () => {
  it('in Chinese and in English, the id when unknown', () => {
    expect(roleName(VILLAGE_ADMIN, 'grid_worker', 'zh-CN')).toBe('专职网格员')
    expect(roleName(VILLAGE_ADMIN, 'grid_worker', 'en')).toBe('Grid worker (full-time)')
    expect(roleName(VILLAGE_ADMIN, 'astronaut', 'en')).toBe('astronaut')
    expect(roleName(null, 'grid_worker', 'zh-CN')).toBe('grid_worker')
  })
  it('every role the server names has both names', () => {
    for (const r of ROLES) {
      expect(roleName(VILLAGE_ADMIN, r.id, 'zh-CN')).toBe(r.name)
      expect(roleName(VILLAGE_ADMIN, r.id, 'en')).toBe(r.name_en)
    }
  })
})

describe('the auth store answers from /api/me', () => {
  const signedInAs = (me) => {
    setActivePinia(createPinia())
    const auth = useAuth()
    auth.me = me
    return auth
  }
  it('can and roots: the permissions and their topmost places', () => {
    const auth = signedInAs(VILLAGE_ADMIN_AND_COMMAND)
    expect(auth.can('alerts.write')).toBe(true)
    expect(auth.can('staff.write', '330825001201G01')).toBe(true)
    expect(auth.can('staff.write', '330825002201')).toBe(false)
    expect(auth.can('reports.proxy')).toBe(false)
    expect(auth.roots('places.read')).toEqual(['330825'])
    expect(auth.roots('staff.read')).toEqual(['330825001201'])
    expect(auth.roots('tenants.admin')).toEqual([])
  })
  it('the operator administers counties but sees no places', () => {
    const auth = signedInAs(OPERATOR)
    expect(auth.can('tenants.admin')).toBe(true)
    expect(auth.can('places.read')).toBe(false)
  })
  it('invitableRoles, mayRemove and roleName go through me', () => {
    const auth = signedInAs(CHECKPOINT)
    expect(auth.invitableRoles('330825002201')).toEqual([])
    expect(auth.mayRemove([{ role: 'checkpoint_staff', place: '330825002201' }])).toBe(false)
    auth.me = VILLAGE_ADMIN
    expect(auth.invitableRoles('330825001201')).toEqual(['checkpoint_staff'])
    expect(auth.roleName('checkpoint_staff', 'en')).toBe('Checkpoint staff')
  })
  it('holds nothing before /me or with an answer that has no permissions', () => {
    const auth = signedInAs(null)
    expect(auth.can('places.read')).toBe(false)
    expect(auth.roots('places.read')).toEqual([])
    auth.me = { grants: VILLAGE_ADMIN.grants }
    expect(auth.can('places.read')).toBe(false)
  })
})

describe('landing preferences by staff role', () => {
  it('the widest role first; resident grants have none', () => {
    expect(landingPages(VILLAGE_ADMIN_AND_COMMAND.grants).slice(0, 2)).toEqual(['alerts', 'reports'])
    expect(landingPages(VILLAGER.grants)).toEqual([])
  })
})
