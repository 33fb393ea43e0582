import { describe, expect, it } from 'vitest'
import { landingPath } from './landing.js'

// GET /api/me, with the permissions the server sends for these people (only the ones landing reads).
const me = (grants, permissions = {}) => ({ grants, modules: ['daily_report', 'scan_pass'], permissions })
const G = '330825001201G01'
const V = '330825001201'

describe('the first page after sign-in', () => {
  it('grid staff open field work, checkpoint staff the scanner, villagers the home page', () => {
    expect(landingPath(me([{ role: 'grid_worker', place: G }], { 'households.read': [G], 'reports.proxy': [G] })))
      .toBe('/field')
    expect(landingPath(me([{ role: 'grid_instructor', place: G }], { 'households.read': [G] }))).toBe('/field')
    expect(landingPath(me([{ role: 'checkpoint_staff', place: V }], { 'passes.scan': [V] }))).toBe('/pass/scan')
    expect(landingPath(me([{ role: 'villager', place: G, household: 'h1' }]))).toBe('/')
    expect(landingPath(me([{ role: 'party_member', place: G }], { 'party.duties': [G] }))).toBe('/')
  })
  it('an office reads households of a village or more, which is no field work', () => {
    expect(landingPath(me([{ role: 'village_admin', place: V }], { 'households.read': [V] }))).toBe('/')
  })
  it('a checkpoint of a county without scan-to-pass (no passes.scan), or nobody known yet, gets the home page', () => {
    expect(landingPath(me([{ role: 'checkpoint_staff', place: V }], { 'places.read': [V] }))).toBe('/')
    expect(landingPath(null)).toBe('/')
  })
  it('an older kept me without permissions lands home until /me answers', () => {
    expect(landingPath({ grants: [{ role: 'grid_worker', place: G }], modules: ['daily_report'] })).toBe('/')
  })
  it('an employer opens 企业招聘; one who also lives in a household of the county the home page', () => {
    const C = '330825'
    expect(landingPath(me([{ role: 'employer', place: C }], { 'recruitment.hire': [C] }))).toBe('/employer')
    expect(landingPath(me([{ role: 'villager', place: G, household: 'h1' }, { role: 'employer', place: C }],
      { 'recruitment.hire': [C] }))).toBe('/')
    // no verified account's role yet (or the module switched off: the server leaves the permission out)
    expect(landingPath(me([{ role: 'villager', place: G }], { 'recruitment.seek': [C] }))).toBe('/')
  })
  it('a grid worker who is also a villager works first', () => {
    expect(landingPath(me([{ role: 'villager', place: G, household: 'h1' }, { role: 'grid_worker', place: G }],
      { 'households.read': [G] }))).toBe('/field')
  })
})
