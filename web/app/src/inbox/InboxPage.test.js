import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import InboxPage from './InboxPage.vue'

const NOTICE = {
  id: 'm1',
  title: '党员联户提醒：2 户今日尚未上报',
  body: '您联系的 汪立新（茶圩村9号）、朱明（茶圩村5号） 今日尚未完成健康上报，请在“我的联户”中逐户提醒。',
  category: 'daily_report',
  read: false,
  created_at: '2026-11-29T01:00:00Z',
}

enableAutoUnmount(afterEach)

describe('notices of the reminder chain', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825', user_id: 'p1' }))
  })
  afterEach(() => vi.unstubAllGlobals())

  it("lead a party member to 我的联户 (and not to a grid worker's list)", async () => {
    const me = { tenant: '330825', user_id: 'p1', grants: [{ role: 'party_member', place: '330825101201G01' }],
      permissions: { 'party.duties': ['330825101201G01'] } }
    localStorage.setItem('cqt.me', JSON.stringify(me))
    fakeFetch((req) => {
      if (req.path.startsWith('/inbox?')) return { body: { items: [NOTICE], next_cursor: null } }
      if (req.path === '/me') return { body: me }
      return { status: 204 }
    })
    const { wrapper } = await mountScreen(InboxPage, { path: '/inbox' })
    for (let i = 0; i < 3; i++) await flushPromises()
    // van-list does not load by itself in jsdom (no layout): ask as a scroll would.
    wrapper.findComponent({ name: 'van-list' }).vm.$emit('load')
    for (let i = 0; i < 3; i++) await flushPromises()
    await wrapper.find('.notice__head').trigger('click')
    expect(wrapper.find('[data-test="notice-party"]').text()).toBe('打开我的联户')
    expect(wrapper.find('[data-test="notice-unreported"]').exists()).toBe(false)
  })

  it('lead the reporter of a tip-off to 我的举报', async () => {
    const me = { tenant: '330825', user_id: 'p1', grants: [{ role: 'villager', place: '330825100202G01', household: 'h1' }],
      permissions: {} }
    localStorage.setItem('cqt.me', JSON.stringify(me))
    const handled = { ...NOTICE, id: 'm2', title: '您的聚集活动举报已办结', body: '已劝导警示：已上门劝散', category: 'tipoffs' }
    fakeFetch((req) => {
      if (req.path.startsWith('/inbox?')) return { body: { items: [handled], next_cursor: null } }
      if (req.path === '/me') return { body: me }
      return { status: 204 }
    })
    const { wrapper } = await mountScreen(InboxPage, { path: '/inbox', routes: [{ path: '/tipoffs/mine', name: 'tipoffs-mine' }] })
    for (let i = 0; i < 3; i++) await flushPromises()
    wrapper.findComponent({ name: 'van-list' }).vm.$emit('load')
    for (let i = 0; i < 3; i++) await flushPromises()
    await wrapper.find('.notice__head').trigger('click')
    expect(wrapper.find('[data-test="notice-tipoffs"]').text()).toBe('查看我的举报')
    expect(wrapper.find('[data-test="notice-party"]').exists()).toBe(false)
  })

  it('lead the filer of a case to its page, by the reference the notice names', async () => {
    const me = { tenant: '330825', user_id: 'p1', grants: [{ role: 'villager', place: '330825100260G01', household: 'h1' }],
      permissions: {} }
    localStorage.setItem('cqt.me', JSON.stringify(me))
    const done = { ...NOTICE, id: 'm3', title: '您的环境卫生随手拍已办结', body: '已整改：已清运（编号 SP-330825-000007）', category: 'snaps' }
    fakeFetch((req) => {
      if (req.path.startsWith('/inbox?')) return { body: { items: [done], next_cursor: null } }
      if (req.path === '/me') return { body: me }
      return { status: 204 }
    })
    const { wrapper } = await mountScreen(InboxPage, { path: '/inbox', routes: [{ path: '/cases/:ref', name: 'case' }] })
    for (let i = 0; i < 3; i++) await flushPromises()
    wrapper.findComponent({ name: 'van-list' }).vm.$emit('load')
    for (let i = 0; i < 3; i++) await flushPromises()
    await wrapper.find('.notice__head').trigger('click')
    const link = wrapper.find('[data-test="notice-case"]')
    expect(link.text()).toBe('查看办理进度')
    await link.trigger('click')
    for (let i = 0; i < 3; i++) await flushPromises()
    expect(wrapper.vm.$router.currentRoute.value.fullPath).toBe('/cases/SP-330825-000007')
  })
})
