import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen } from '../../test-support.js'
import BehalfPage from './BehalfPage.vue'

const VILLAGE = '330825001201'
const HOUSEHOLD = { id: 'h1', address: '张王村1号', ref: '3308250012010001', village: VILLAGE, head_name: '王大伯',
  member_count: 3, follower_count: 0 }

enableAutoUnmount(afterEach)

function keptMe(permissions) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'c1' }))
  localStorage.setItem('cqt.me', JSON.stringify({ user_id: 'c1', tenant: '330825', grants: [], permissions }))
}

async function open() {
  const screen = await mountScreen(BehalfPage, {
    path: '/errands/behalf',
    routes: [{ path: '/errands', name: 'errands' }, { path: '/field/errands/:hid', name: 'field-errands' }],
  })
  for (let i = 0; i < 3; i++) await flushPromises()
  return screen
}

describe('为村民代办 (the village clerk finds the household)', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('lists the households of the village where one may apply on their behalf, searched by name, each to its items', async () => {
    keptMe({ 'errands.proxy': [VILLAGE], 'households.read': [VILLAGE] })
    const me = { user_id: 'c1', tenant: '330825', grants: [], permissions: { 'errands.proxy': [VILLAGE] } }
    const fetch = fakeFetch((r) => ({ body: r.path === '/me' ? me : { items: [HOUSEHOLD], next_cursor: null } }))
    const { wrapper } = await open()
    const first = fetch.requests().find((r) => r.path.startsWith('/households'))
    expect(first.path).toBe(`/households?place=${VILLAGE}&limit=20`)
    const row = wrapper.find('[data-test="household-row"]')
    expect(row.text()).toContain('王大伯')
    expect(row.attributes('href')).toBe('/field/errands/h1')

    vi.useFakeTimers()
    await wrapper.find('[data-test="behalf-search"] input').setValue('王大')
    await vi.advanceTimersByTimeAsync(500)
    vi.useRealTimers()
    for (let i = 0; i < 3; i++) await flushPromises()
    expect(fetch.requests().at(-1).path).toBe(`/households?place=${VILLAGE}&limit=20&q=${encodeURIComponent('王大')}`)
  })

  it('says so to someone who may not apply on behalf, and asks nothing', async () => {
    keptMe({ 'households.read': [VILLAGE] })
    const fetch = fakeFetch(() => ({ body: {} }))
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="behalf-none"]').text()).toBe('您没有代办的权限')
    expect(fetch.requests().filter((r) => r.path.startsWith('/households'))).toEqual([])
  })
})
