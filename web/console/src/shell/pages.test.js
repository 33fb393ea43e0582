import { describe, expect, it } from 'vitest'
import { allowedPages } from '../router.js'
import { can } from '../auth/roles.js'

const as = (grants, modules) => ({ me: { grants, modules }, can: (p, place) => can(grants, p, place) })
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
