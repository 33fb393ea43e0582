import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch } from '../common/testing.js'
import { clearPlaceCache, ensureNames, nameOf, placeNames } from './placeCache.js'
import { placeOptions } from './placeOptions.js'

const PLACES = {
  330825: { code: '330825', name: '龙游县', level: 'county', parent: null },
  330825001: { code: '330825001', name: '东华街道', level: 'township', parent: '330825' },
  330825001201: { code: '330825001201', name: '张王村', level: 'village', parent: '330825001' },
  '330825001201G01': { code: '330825001201G01', name: '张王村第1网格', level: 'grid', parent: '330825001201' },
  330825002: { code: '330825002', name: '龙洲街道', level: 'township', parent: '330825' },
  330825002201: { code: '330825002201', name: '团石村', level: 'village', parent: '330825002' },
}

function api() {
  return fakeFetch([['GET', '/api/places', (url) => {
    const u = new URL(url, 'http://x')
    const parent = u.searchParams.get('parent')
    if (parent) return { body: { items: Object.values(PLACES).filter((p) => p.parent === parent), next_cursor: null } }
    const p = PLACES[u.pathname.split('/').pop()]
    return p ? { body: p } : { status: 404, body: { error: { code: 'not_found', message: '找不到该地点' } } }
  }]])
}

afterEach(() => {
  vi.unstubAllGlobals()
  clearPlaceCache()
})

const shape = (groups) => groups.map((g) => [g.name, g.options.map((o) => o.name)])

describe('placeOptions', () => {
  it('a county root: the villages grouped by township (and the county and townships when asked)', async () => {
    vi.stubGlobal('fetch', api())
    expect(shape(await placeOptions(['330825'], ['village']))).toEqual([['东华街道', ['张王村']],
      ['龙洲街道', ['团石村']]])
    expect(shape(await placeOptions(['330825'], ['county', 'township', 'village']))).toEqual([['龙游县', ['龙游县']],
      ['东华街道', ['东华街道', '张王村']], ['龙洲街道', ['龙洲街道', '团石村']]])
  })
  it('township and village roots; places are fetched once', async () => {
    const f = api()
    vi.stubGlobal('fetch', f)
    expect(shape(await placeOptions(['330825002', '330825001201'], ['village']))).toEqual([['龙洲街道', ['团石村']],
      ['张王村', ['张王村']]])
    await placeOptions(['330825002', '330825001201'], ['village'])
    expect(f.calls).toHaveLength(3)
    expect(placeNames['330825002201']).toBe('团石村')
  })
  it('a grid root is offered as it is when grids are asked for, and left out otherwise', async () => {
    vi.stubGlobal('fetch', api())
    expect(shape(await placeOptions(['330825001201G01'], ['county', 'township', 'village', 'grid']))).toEqual([
      ['张王村第1网格', ['张王村第1网格']]])
    expect(shape(await placeOptions(['330825001201G01'], ['village']))).toEqual([])
    // grids asked for do not change what a county root offers
    expect(shape(await placeOptions(['330825'], ['county', 'township', 'village', 'grid']))).toEqual([
      ['龙游县', ['龙游县']], ['东华街道', ['东华街道', '张王村']], ['龙洲街道', ['龙洲街道', '团石村']]])
  })
  it('names of codes seen in lists; a code whose name cannot be loaded is shown as it is', async () => {
    vi.stubGlobal('fetch', api())
    await ensureNames(['330825001201G01', '330825009999', null])
    expect(nameOf('330825001201G01')).toBe('张王村第1网格')
    expect(nameOf('330825009999')).toBe('330825009999')
  })
})
