// 党员先锋 (/vanguard): the village's feed (my village from my household's grant; 更多 follows next_cursor), links for a
// party member only, and the 党建指数 tab: members this month, the quarter and the township's villages on a tap,
// with the server's formula under the board.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import { GRID, VILLAGER_ME } from '../cases/test-data.js'
import VanguardPage from './VanguardPage.vue'
import { myVillage, periodOf } from './vanguard.js'

const VILLAGE = GRID.slice(0, 12)
const ME = { ...VILLAGER_ME, modules: ['vanguard'] }
const MEMBER_ME = { tenant: '330825', user_id: 'p1', name: '余党员', grants: [{ role: 'party_member', place: GRID }],
  modules: ['vanguard'], permissions: { 'vanguard.post': [GRID] } }
const deed = (id, likes) => ({
  id, text: `实事${id}：清理村道`, photos: [], author: { id: 'p1', name: '余党员' }, village: VILLAGE, village_name: '溪前村',
  status: 'approved', reason: null, created_at: '2026-12-07T02:00:00Z', decided_at: '2026-12-07T03:00:00Z', points: null,
  likes, liked_by_me: false,
})
const board = (place, period, level) => ({
  place, period, level, formula: level === 'village' ? '党员积分 = 本期各项积分之和' : '村党建指数 = 党员平均积分',
  items: level === 'village' ? [{ rank: 1, id: 'p1', name: '余党员', points: 58, members: null }]
    : [{ rank: 1, id: VILLAGE, name: '溪前村', points: 28.7, members: 3 }],
})

async function open(me = ME, path = '/vanguard') {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
  const fetch = fakeFetch((req) => {
    if (req.path === '/me') return { body: me }
    const url = new URL(req.path, 'http://x')
    if (url.pathname === '/vanguard/deeds') {
      return url.searchParams.get('cursor') ? { body: { items: [deed('d3', 0)], next_cursor: null } }
        : { body: { items: [deed('d1', 20), deed('d2', 3)], next_cursor: 'c2' } }
    }
    if (url.pathname === '/vanguard/index') {
      const place = url.searchParams.get('place')
      return { body: board(place, url.searchParams.get('period'), place.length === 12 ? 'village' : 'township') }
    }
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
  const screen = await mountScreen(VanguardPage, { path, routes: [{ path: '/vanguard', name: 'vanguard' },
    { path: '/vanguard/deeds/:id', name: 'vanguard-deed' }, { path: '/vanguard/new' }, { path: '/vanguard/mine' }] })
  for (let i = 0; i < 6; i++) await flushPromises()
  return { ...screen, fetch }
}
const settle = async () => {
  for (let i = 0; i < 6; i++) await flushPromises()
}

enableAutoUnmount(afterEach)

describe('党员先锋', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('finds my village: my household’s first, else a grant at a grid or village', () => {
    expect(myVillage(ME)).toBe(VILLAGE)
    expect(myVillage(MEMBER_ME)).toBe(VILLAGE)
    expect(myVillage({ grants: [{ role: 'county_admin', place: '330825' }], permissions: {} })).toBe(null)
  })

  it('shows the village’s feed with likes and pages on with 加载更多; no 晒实事 for a villager', async () => {
    const { wrapper, fetch } = await open()
    expect(fetch.requests().find((r) => r.path.startsWith('/vanguard/deeds')).path)
      .toBe(`/vanguard/deeds?place=${VILLAGE}&limit=10`)
    expect(wrapper.findAll('article.deed')).toHaveLength(2)
    expect(wrapper.find('[data-test="deed-d1"] [data-test="like-count"]').text()).toBe('20')
    expect(wrapper.find('[data-test="to-post"]').exists()).toBe(false)
    await wrapper.find('[data-test="feed-more"]').trigger('click')
    await settle()
    expect(wrapper.findAll('article.deed')).toHaveLength(3)
    expect(wrapper.find('[data-test="feed-more"]').exists()).toBe(false)
  })

  it('offers 晒实事 and 我的实事 to a party member', async () => {
    const { wrapper } = await open(MEMBER_ME)
    expect(wrapper.find('[data-test="to-post"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="to-mine"]').exists()).toBe(true)
  })

  it('党建指数: this month’s members, then the quarter and the township’s villages, with the formula', async () => {
    const { wrapper, fetch } = await open(ME, '/vanguard?tab=index')
    const calls = () => fetch.requests().map((r) => r.path).filter((p) => p.startsWith('/vanguard/index'))
    expect(calls()).toEqual([`/vanguard/index?place=${VILLAGE}&period=${periodOf('month')}`])
    expect(wrapper.find('[data-test="index-row-p1"] [data-test="row-points"]').text()).toBe('58')
    expect(wrapper.find('[data-test="formula"]').text()).toContain('党员积分 = 本期各项积分之和')
    await wrapper.find('[data-test="kind-quarter"]').trigger('click')
    await settle()
    expect(calls().at(-1)).toBe(`/vanguard/index?place=${VILLAGE}&period=${periodOf('quarter')}`)
    expect(wrapper.find('[data-test="index-title"]').text()).toContain('季度')
    await wrapper.find('[data-test="level-township"]').trigger('click')
    await settle()
    expect(calls().at(-1)).toBe(`/vanguard/index?place=${VILLAGE.slice(0, 9)}&period=${periodOf('quarter')}`)
    const row = wrapper.find(`[data-test="index-row-${VILLAGE}"]`)
    expect(row.find('[data-test="row-points"]').text()).toBe('28.7')
    expect(row.text()).toContain('3名党员计入')
  })

  it('names periods in Asia/Shanghai: the last hours of a UTC month are the next month there', () => {
    const d = new Date('2026-12-31T17:00:00Z') // 2027-01-01 01:00 in Shanghai
    expect(periodOf('month', d)).toBe('2027-01')
    expect(periodOf('quarter', d)).toBe('2027-Q1')
    expect(periodOf('quarter', new Date('2026-11-15T00:00:00Z'))).toBe('2026-Q4')
  })
})
