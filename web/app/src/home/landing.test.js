import { describe, expect, it } from 'vitest'
import { landingPath } from './landing.js'

const me = (grants, modules = ['daily_report', 'scan_pass']) => ({ grants, modules })

describe('the first page after sign-in', () => {
  it('grid workers open field work, checkpoint staff the scanner, villagers the home page', () => {
    expect(landingPath(me([{ role: 'grid_worker', place: '330825001201G01' }]))).toBe('/field')
    expect(landingPath(me([{ role: 'grid_instructor', place: '330825001201G01' }]))).toBe('/field')
    expect(landingPath(me([{ role: 'checkpoint_staff', place: '330825001201' }]))).toBe('/pass/scan')
    expect(landingPath(me([{ role: 'villager', place: '330825001201G01', household: 'h1' }]))).toBe('/')
    expect(landingPath(me([{ role: 'party_member', place: '330825001201G01' }]))).toBe('/')
  })
  it('a checkpoint of a county without scan-to-pass, or nobody known yet, gets the home page', () => {
    expect(landingPath(me([{ role: 'checkpoint_staff', place: '330825001201' }], ['daily_report']))).toBe('/')
    expect(landingPath(null)).toBe('/')
  })
  it('a grid worker who is also a villager works first', () => {
    expect(landingPath(me([{ role: 'villager', place: '330825001201G01', household: 'h1' },
      { role: 'grid_worker', place: '330825001201G01' }]))).toBe('/field')
  })
})
