import { describe, expect, it } from 'vitest'
import { holds } from '@shared/permissions.js'
import { PAGES, allowedPages, landingPage } from '../router.js'
import {
  CHECKPOINT, COMMAND, COUNTY_ADMIN, GRID_WORKER, OPERATOR, ORG_DEPARTMENT, TOWNSHIP, VILLAGE_ADMIN,
  VILLAGE_ADMIN_AND_COMMAND, VILLAGE_ADMIN_NO_TIPOFFS, VILLAGER,
} from '../common/meFixtures.js'

// The auth store as the router sees it: can() reads /api/me permissions (a list: any one of them).
const as = (me) => ({ me, grants: me.grants, can: (p, place) => [].concat(p).some((x) => holds(me, x, place)) })
const names = (me) => allowedPages(as(me)).map((p) => p.name)

describe('the menu is built from /api/me permissions', () => {
  it('a village admin gets the village office pages, tip-offs, scan logs and 党员联户', () => {
    expect(names(VILLAGE_ADMIN)).toEqual(['places', 'households', 'staff', 'imports', 'coverage', 'reports',
      'partyLinks', 'cases', 'tipoffs', 'tipoffStats', 'scans', 'workdays'])
  })
  it('checkpoint staff get the scan log; grid workers 党员联户; the command tip-offs and scan logs', () => {
    expect(names(CHECKPOINT)).toEqual(['places', 'scans'])
    const worker = names(GRID_WORKER)
    expect(worker).toContain('partyLinks')
    expect(worker).not.toContain('tipoffs')
    expect(worker).toContain('cases') // 随手拍 of their grid
    expect(worker).not.toContain('staff')
    const command = names(COMMAND)
    expect(command).toEqual(expect.arrayContaining(['alerts', 'reportSettings', 'cases', 'tipoffs', 'tipoffStats',
      'scans']))
    expect(command).not.toContain('partyLinks')
    expect(command).not.toContain('staff')
  })
  it('a module the county switched off is not offered (the server left its permissions out)', () => {
    const got = names(VILLAGE_ADMIN_NO_TIPOFFS)
    expect(got).toEqual(expect.arrayContaining(['partyLinks', 'scans']))
    expect(got).not.toContain('tipoffs')
    expect(got).not.toContain('tipoffStats')
    expect(got).not.toContain('cases') // and no other case type is on there
  })
  it('事项办理 is offered for any case type the person may read, and only then', () => {
    const only = (perms) => names({ ...VILLAGER, permissions: Object.fromEntries(perms.map((p) => [p, ['330825']])) })
    expect(only(['snaps.read'])).toEqual(['cases'])
    expect(only(['tipoffs.read'])).toEqual(['cases', 'tipoffs', 'tipoffStats'])
    expect(only(['letters.read'])).toEqual(['cases'])
    expect(only(['snaps.handle'])).toEqual([])
  })
  it('事项类别 for the county admin (cases.configure); 工作日历 for the offices that read it', () => {
    expect(names(COUNTY_ADMIN)).toEqual(expect.arrayContaining(['cases', 'caseCategories', 'workdays']))
    for (const me of [VILLAGE_ADMIN, TOWNSHIP, COMMAND, ORG_DEPARTMENT]) {
      expect(names(me)).toContain('workdays')
      expect(names(me)).not.toContain('caseCategories')
    }
    expect(names(GRID_WORKER)).not.toContain('workdays')
    expect(names(CHECKPOINT)).not.toContain('workdays')
  })
  it('事项目录 (under 网上代办) for the county admin (errands.configure) only', () => {
    expect(names(COUNTY_ADMIN)).toContain('errandItems')
    for (const me of [VILLAGE_ADMIN, TOWNSHIP, COMMAND, GRID_WORKER, VILLAGER]) expect(names(me)).not.toContain('errandItems')
    expect(allowedPages(as(COUNTY_ADMIN)).find((p) => p.name === 'errandItems').group).toBe('errands')
  })
  it('网上代办统计 (under 网上代办) for errands.read at the county or a township, not at a village', () => {
    const reading = (place) => names({ ...VILLAGER, permissions: { 'errands.read': [place] } })
    expect(reading('330825')).toEqual(['cases', 'errandStats'])
    expect(reading('330825001')).toEqual(['cases', 'errandStats'])
    expect(reading('330825001201')).toEqual(['cases']) // a village office reads applications, not the numbers
    expect(PAGES.find((p) => p.name === 'errandStats').group).toBe('errands')
  })
  it('the operator gets the counties only; a villager nothing; nothing before /me answers', () => {
    expect(names(OPERATOR)).toEqual(['counties'])
    expect(names(VILLAGER)).toEqual([])
    expect(names({ grants: VILLAGE_ADMIN.grants })).toEqual([]) // an answer without permissions
  })
})

describe('each role lands on its own first page', () => {
  const land = (me) => landingPage(as(me))
  it('the epidemic command on 健康码预警, the county admin on completion, the operator on the counties', () => {
    expect(land(COMMAND)).toBe('alerts')
    expect(land(COUNTY_ADMIN)).toBe('reports')
    expect(land(TOWNSHIP)).toBe('reports')
    expect(land(VILLAGE_ADMIN)).toBe('reports')
    expect(land(ORG_DEPARTMENT)).toBe('coverage')
    expect(land(OPERATOR)).toBe('counties')
  })
  it('the widest role wins; a page the person may not use is skipped', () => {
    expect(land(VILLAGE_ADMIN_AND_COMMAND)).toBe('alerts')
    // a grid worker may not read alerts: their first choice is completion
    expect(land(GRID_WORKER)).toBe('reports')
    // roles without a landing of their own get the first page they may use
    expect(land(CHECKPOINT)).toBe('places')
    // a resident grant is not a staff role
    expect(land(VILLAGER)).toBe(null)
  })
  it('with the daily report switched off, the county admin lands on coverage', () => {
    const off = { ...COUNTY_ADMIN, modules: ['scan_pass', 'tipoffs'], permissions: Object.fromEntries(
      Object.entries(COUNTY_ADMIN.permissions).filter(([p]) => !/^(reports|alerts|party)\./.test(p))) }
    expect(land(off)).toBe('coverage')
  })
})
