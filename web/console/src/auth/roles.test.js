import { describe, expect, it } from 'vitest'
import { CAN_INVITE, ROLE_LEVEL, can, invitableRoles, levelOf, mayRemove, rootPlaces, within } from './roles.js'

const county = [{ role: 'county_admin', place: '330825' }]
const township = [{ role: 'township_official', place: '330825001' }]
const village = [{ role: 'village_admin', place: '330825001201' }]
const operator = [{ role: 'platform_operator', place: '*' }]

describe('place codes', () => {
  it('reads the level off the code', () => {
    expect(levelOf('330825')).toBe('county')
    expect(levelOf('330825001')).toBe('township')
    expect(levelOf('330825001201')).toBe('village')
    expect(levelOf('330825001201G01')).toBe('grid')
    expect(levelOf('33082500120')).toBe(null)
  })
  it('a grid covers only itself', () => {
    expect(within('330825001201G012', '330825001201G01')).toBe(false)
    expect(within('330825001201G01', '330825001201')).toBe(true)
    expect(within('330825002', '330825001')).toBe(false)
  })
})

describe('invitableRoles follows CAN_INVITE and ROLE_LEVEL', () => {
  it('county admin at the county: county-level roles only', () => {
    expect(invitableRoles(county, '330825')).toEqual(
      ['county_admin', 'epidemic_command', 'org_department', 'employer'])
  })
  it('county admin at a township / village / grid', () => {
    expect(invitableRoles(county, '330825001')).toEqual(['township_official'])
    expect(invitableRoles(county, '330825001201')).toEqual(['village_admin', 'checkpoint_staff'])
    expect(invitableRoles(county, '330825001201G01')).toEqual(
      ['grid_leader', 'grid_worker', 'grid_worker_part', 'grid_instructor', 'party_member'])
  })
  it('township official: nothing at its own level or above, village and grid roles below', () => {
    expect(invitableRoles(township, '330825')).toEqual([])
    expect(invitableRoles(township, '330825001')).toEqual([])
    expect(invitableRoles(township, '330825001201')).toEqual(['village_admin', 'checkpoint_staff'])
    expect(invitableRoles(township, '330825002101')).toEqual([]) // another township's village
  })
  it('village admin: not another village admin; grid roles in its grids', () => {
    expect(invitableRoles(village, '330825001201')).toEqual(['checkpoint_staff'])
    expect(invitableRoles(village, '330825001201G02')).toContain('grid_worker')
    expect(invitableRoles(village, '330825001202G01')).toEqual([])
  })
  it('every offered role is one CAN_INVITE allows and is placed at that level', () => {
    for (const grants of [county, township, village]) {
      for (const place of ['330825', '330825001', '330825001201', '330825001201G01']) {
        for (const r of invitableRoles(grants, place)) {
          expect(CAN_INVITE[grants[0].role].has(r)).toBe(true)
          expect(ROLE_LEVEL[r]).toBe(levelOf(place))
        }
      }
    }
  })
  it('grid workers and residents may invite nobody', () => {
    expect(invitableRoles([{ role: 'grid_worker', place: '330825001201G01' }], '330825001201G01')).toEqual([])
    expect(invitableRoles([{ role: 'villager', place: '330825001201G01', household: 'h1' }], '330825001201G01'))
      .toEqual([])
  })
})

describe('permissions and roots', () => {
  it('the operator administers counties but sees no places', () => {
    expect(can(operator, 'tenants.admin')).toBe(true)
    expect(can(operator, 'places.read')).toBe(false)
  })
  it('roots are the topmost granted places', () => {
    expect(rootPlaces([...township, ...village], 'places.read')).toEqual(['330825001'])
    expect(rootPlaces([{ role: 'village_admin', place: '330825001201' }, { role: 'village_admin',
      place: '330825002101' }], 'places.read')).toEqual(['330825001201', '330825002101'])
  })
  it('mayRemove: only people holding a role one may appoint, where one may appoint it', () => {
    expect(mayRemove(village, [{ role: 'grid_worker', place: '330825001201G01' }])).toBe(true)
    expect(mayRemove(village, [{ role: 'village_admin', place: '330825001201' }])).toBe(false)
    expect(mayRemove(township, [{ role: 'grid_worker', place: '330825002101G01' }])).toBe(false)
  })
})

describe('daily report permissions (copied from chalicelib/core/tenancy.py)', () => {
  const command = [{ role: 'epidemic_command', place: '330825' }]
  it('the epidemic command reads completion, sets the times, reads and handles alerts', () => {
    for (const p of ['reports.read', 'reports.settings', 'alerts.read', 'alerts.write']) expect(can(command, p)).toBe(true)
    expect(can(command, 'reports.proxy')).toBe(false)
  })
  it('the county admin sees the alerts but does not handle them', () => {
    expect(can(county, 'alerts.read')).toBe(true)
    expect(can(county, 'alerts.write')).toBe(false)
    expect(can(county, 'reports.settings')).toBe(true)
  })
  it('grid workers report on behalf (代报), instructors do not; townships read completion of their own place', () => {
    expect(can([{ role: 'grid_worker', place: '330825001201G01' }], 'reports.proxy')).toBe(true)
    expect(can([{ role: 'grid_instructor', place: '330825001201G01' }], 'reports.proxy')).toBe(false)
    expect(can(township, 'reports.read', '330825001201')).toBe(true)
    expect(can(township, 'reports.read', '330825002201')).toBe(false)
    expect(can(township, 'alerts.read')).toBe(false)
    expect(can([{ role: 'org_department', place: '330825' }], 'reports.read')).toBe(true)
  })
})

describe('tip-offs, scan logs and 党员联户 (copied from chalicelib/core/tenancy.py)', () => {
  const command = [{ role: 'epidemic_command', place: '330825' }]
  const checkpoint = [{ role: 'checkpoint_staff', place: '330825002201' }]
  const gridWorker = [{ role: 'grid_worker', place: '330825001201G01' }]
  it('offices and the command read and handle tip-offs; grid staff and checkpoints do not', () => {
    for (const g of [county, township, village, command]) {
      expect(can(g, 'tipoffs.read')).toBe(true)
      expect(can(g, 'tipoffs.handle')).toBe(true)
    }
    for (const g of [checkpoint, gridWorker, [{ role: 'org_department', place: '330825' }]]) {
      expect(can(g, 'tipoffs.read')).toBe(false)
    }
    expect(can(village, 'tipoffs.handle', '330825002201')).toBe(false) // another village's
  })
  it('only checkpoint staff scan; they and the offices read the scan logs of their places', () => {
    expect(can(checkpoint, 'passes.scan')).toBe(true)
    expect(can(county, 'passes.scan')).toBe(false)
    expect(can(checkpoint, 'passes.logs', '330825002201')).toBe(true)
    expect(can(checkpoint, 'passes.logs', '330825001201')).toBe(false)
    expect(can(command, 'passes.logs', '330825001201')).toBe(true)
    expect(can(gridWorker, 'passes.logs')).toBe(false)
  })
  it('offices, grid leaders and full-time grid workers link party members; part-time workers do not', () => {
    expect(can(gridWorker, 'party.link', '330825001201G01')).toBe(true)
    expect(can(gridWorker, 'party.link', '330825001201G02')).toBe(false)
    expect(can([{ role: 'grid_leader', place: '330825001201G01' }], 'party.link')).toBe(true)
    expect(can([{ role: 'grid_worker_part', place: '330825001201G01' }], 'party.link')).toBe(false)
    expect(can(village, 'party.link', '330825001201G03')).toBe(true)
    expect(can(command, 'party.link')).toBe(false)
  })
})
