import { describe, expect, it } from 'vitest'
import { allowedPages, landingPage } from '../router.js'
import { can } from '../auth/roles.js'

const as = (grants, modules) => ({ me: { grants, modules }, grants, can: (p, place) => can(grants, p, place) })
const names = (auth) => allowedPages(auth).map((p) => p.name)

describe('the menu of the tip-off, scan log and 党员联户 pages', () => {
  it('a village admin gets all three', () => {
    const got = names(as([{ role: 'village_admin', place: '330825002201' }]))
    expect(got).toEqual(expect.arrayContaining(['partyLinks', 'tipoffs', 'tipoffStats', 'scans']))
  })
  it('checkpoint staff get the scan log; grid workers 党员联户; the command tip-offs and scan logs', () => {
    expect(names(as([{ role: 'checkpoint_staff', place: '330825002201' }]))).toEqual(['places', 'scans'])
    const worker = names(as([{ role: 'grid_worker', place: '330825001201G01' }]))
    expect(worker).toContain('partyLinks')
    expect(worker).not.toContain('tipoffs')
    const command = names(as([{ role: 'epidemic_command', place: '330825' }]))
    expect(command).toEqual(expect.arrayContaining(['tipoffs', 'tipoffStats', 'scans']))
    expect(command).not.toContain('partyLinks')
  })
  it('a module the county switched off is not offered', () => {
    const got = names(as([{ role: 'village_admin', place: '330825002201' }], ['daily_report', 'scan_pass']))
    expect(got).toEqual(expect.arrayContaining(['partyLinks', 'scans']))
    expect(got).not.toContain('tipoffs')
    expect(got).not.toContain('tipoffStats')
  })
})

describe('each role lands on its own first page', () => {
  const land = (grants, modules) => landingPage(as(grants, modules))
  it('the epidemic command on 健康码预警, the county admin on completion, the operator on the counties', () => {
    expect(land([{ role: 'epidemic_command', place: '330825' }])).toBe('alerts')
    expect(land([{ role: 'county_admin', place: '330825' }])).toBe('reports')
    expect(land([{ role: 'township_official', place: '330825001' }])).toBe('reports')
    expect(land([{ role: 'village_admin', place: '330825001201' }])).toBe('reports')
    expect(land([{ role: 'org_department', place: '330825' }])).toBe('coverage')
    expect(land([{ role: 'platform_operator', place: '*' }])).toBe('counties')
  })
  it('the widest role wins; a page the county switched off or the role may not use is skipped', () => {
    expect(land([{ role: 'village_admin', place: '330825001201' }, { role: 'epidemic_command', place: '330825' }]))
      .toBe('alerts')
    // a grid worker may not read alerts: their first choice is completion
    expect(land([{ role: 'grid_worker', place: '330825001201G01' }])).toBe('reports')
    // roles without a landing of their own get the first page they may use
    expect(land([{ role: 'checkpoint_staff', place: '330825002201' }])).toBe('places')
    // a resident grant is not a staff role
    expect(land([{ role: 'villager', place: '330825001201G01', household: 'h1' }])).toBe(null)
  })
})
