import { describe, expect, it } from 'vitest'
import { holds, placesOf, rootsOf } from './permissions.js'
import { CHILD_LEVEL, isGrid, levelOf, within } from './placeCodes.js'

describe('place codes', () => {
  it('reads the level off the code', () => {
    expect(levelOf('330825')).toBe('county')
    expect(levelOf('330825001')).toBe('township')
    expect(levelOf('330825001201')).toBe('village')
    expect(levelOf('330825001201G01')).toBe('grid')
    expect(levelOf('330825001201G012')).toBe('grid')
    expect(levelOf('33082500120')).toBe(null)
    expect(levelOf(null)).toBe(null)
    expect(CHILD_LEVEL.village).toBe('grid')
  })
  it('a place is within its prefixes; a grid covers only itself; * covers all', () => {
    expect(within('330825001201G01', '330825001201')).toBe(true)
    expect(within('330825001201', '330825')).toBe(true)
    expect(within('330825002', '330825001')).toBe(false)
    expect(within('330825001201G012', '330825001201G01')).toBe(false)
    expect(within('330825001201G01', '330825001201G01')).toBe(true)
    expect(within('330825001201', '*')).toBe(true)
    expect(within(undefined, '330825')).toBe(false)
  })
  it('tells grid codes', () => {
    expect(isGrid('330825001201G01')).toBe(true)
    expect(isGrid('330825001201')).toBe(false)
    expect(isGrid(null)).toBe(false)
  })
})

// Shaped like GET /api/me: permission -> the topmost places where it is held.
const me = {
  permissions: {
    'households.read': ['330825001201', '330825002101G01'],
    'reports.proxy': ['330825002101G01'],
    'tenants.admin': ['*'],
  },
}

describe('holds and placesOf read /api/me permissions', () => {
  it('somewhere, or at a place at or below one of the places', () => {
    expect(holds(me, 'households.read')).toBe(true)
    expect(holds(me, 'households.read', '330825001201G07')).toBe(true)
    expect(holds(me, 'households.read', '330825001201')).toBe(true)
    expect(holds(me, 'households.read', '330825001')).toBe(false) // above the village
    expect(holds(me, 'households.read', '330825002101G02')).toBe(false) // a neighbouring grid
    expect(holds(me, 'reports.proxy', '330825002101G012')).toBe(false) // G01 is not a prefix of G012's grid
    expect(holds(me, 'tenants.admin', '510101')).toBe(true) // '*' is everywhere
    expect(holds(me, 'places.write')).toBe(false)
  })
  it('placesOf gives the places as the server sent them, and a copy', () => {
    expect(placesOf(me, 'households.read')).toEqual(['330825001201', '330825002101G01'])
    placesOf(me, 'households.read').push('x')
    expect(me.permissions['households.read']).toHaveLength(2)
    expect(placesOf(me, 'staff.read')).toEqual([])
  })
  it('no me, or an older me without permissions (kept on a phone), holds nothing', () => {
    for (const m of [null, undefined, {}, { grants: [{ role: 'grid_worker', place: '330825001201G01' }] },
      { permissions: null }, { permissions: { 'households.read': 'oops' } }]) {
      expect(holds(m, 'households.read')).toBe(false)
      expect(holds(m, 'households.read', '330825001201G01')).toBe(false)
      expect(placesOf(m, 'households.read')).toEqual([])
    }
  })
})

describe('several grants holding one permission', () => {
  // A village admin who is also the grid worker of one of its grids (村干部兼网格员): the server lists both places.
  const me = { permissions: { 'households.read': ['330825001201', '330825001201G01'], 'reports.proxy': ['330825001201G01'] } }

  it('rootsOf gives the topmost places (where the console tree starts)', () => {
    expect(rootsOf(me, 'households.read')).toEqual(['330825001201'])
    expect(rootsOf(me, 'reports.proxy')).toEqual(['330825001201G01'])
    expect(rootsOf({}, 'households.read')).toEqual([])
  })

  it('the grid is among them (the phone app opens field mode for it)', () => {
    expect(placesOf(me, 'households.read').filter(isGrid)).toEqual(['330825001201G01'])
    expect(holds(me, 'households.read', '330825001201G02')).toBe(true) // the village covers its other grids
  })
})
