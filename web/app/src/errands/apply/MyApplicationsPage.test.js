// 我家的申请 (/errands/mine): the applications of every household of the phone, newest first, each opening its page.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen } from '../../test-support.js'
import { VILLAGER_ME } from '../../cases/test-data.js'
import MyApplicationsPage from './MyApplicationsPage.vue'

const row = (ref, over = {}) => ({
  ref, item: '生育登记', department: '县卫生健康局', status: 'accepted', status_name: '处理中', stage: 'forwarded',
  stage_name: '已转交部门', created_at: '2026-12-05T02:00:00Z', on_behalf_by: null, ...over,
})

async function open(me, lists) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  const fetch = fakeFetch((req) => {
    if (req.path === '/me') return { body: me }
    const m = req.path.match(/^\/errands\/applications\?household=(\w+)$/)
    if (m) return { body: { items: lists[m[1]] ?? [], next_cursor: null } }
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
  const screen = await mountScreen(MyApplicationsPage, {
    path: '/errands/mine',
    routes: [{ path: '/errands/mine', name: 'errands-mine' }, { path: '/errands/applications/:ref', name: 'errand-application' }],
  })
  for (let i = 0; i < 6; i++) await flushPromises()
  return { ...screen, fetch }
}

enableAutoUnmount(afterEach)

describe('我家的申请', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('lists the applications of every household, newest first, marks 代办 and opens one', async () => {
    const me = { ...VILLAGER_ME, modules: ['errands'], grants: [
      { role: 'villager', place: 'p', household: 'h1' }, { role: 'villager', place: 'p', household: 'h2' }] }
    const { wrapper, fetch, router } = await open(me, {
      h1: [row('DB-330825-000001')],
      h2: [row('DB-330825-000002', { item: '老年优待证', department: '县民政局', created_at: '2026-12-07T01:00:00Z', stage: 'shipped', stage_name: '已寄出', on_behalf_by: '汪专网' })],
    })
    expect(fetch.requests().map((r) => r.path).filter((p) => p.startsWith('/errands'))).toEqual([
      '/errands/applications?household=h1', '/errands/applications?household=h2'])
    const rows = wrapper.findAll('[data-test^="application-"]')
    expect(rows.map((r) => r.find('[data-test="item"]').text())).toEqual(['老年优待证', '生育登记'])
    expect(rows[0].find('[data-test="stage"]').text()).toBe('已寄出')
    expect(rows[0].find('[data-test="behalf"]').text()).toBe('汪专网代办')
    expect(rows[1].find('[data-test="behalf"]').exists()).toBe(false)
    expect(rows[0].text()).toContain('2026/12/07 09:00') // Asia/Shanghai
    await rows[0].trigger('click')
    for (let i = 0; i < 3; i++) await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/errands/applications/DB-330825-000002')
  })

  it('says so when there is none, and asks to link a household first when the phone has none', async () => {
    const one = { ...VILLAGER_ME, modules: ['errands'], grants: [{ role: 'villager', place: 'p', household: 'h1' }] }
    const { wrapper } = await open(one, {})
    expect(wrapper.find('[data-test="mine-none"]').text()).toBe('还没有网上代办的申请')
    wrapper.unmount()
    localStorage.clear() // another person on this phone
    vi.unstubAllGlobals()
    const none = { ...VILLAGER_ME, modules: ['errands'], grants: [] }
    const { wrapper: empty, fetch } = await open(none, {})
    expect(empty.find('[data-test="no-household"]').exists()).toBe(true)
    expect(fetch.requests().filter((r) => r.path.startsWith('/errands'))).toHaveLength(0)
  })
})
