import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import HomePage from '../home/HomePage.vue'
import NoticePage from './NoticePage.vue'
import UrgentBanner from './UrgentBanner.vue'
import { keepUrgent, reloadUrgent, urgent } from './urgent.js'

const GRID = '330825001201G01'
const ME = { tenant: '330825', user_id: 'u1', name: '张村民', county_name: '龙游县', modules: ['notices'],
  grants: [{ role: 'villager', place: GRID, household: 'h1' }], permissions: {} }
const URGENT = { id: 'n1', title: '台风紧急转移通知', publish_at: '2026-12-07T02:00:00Z', from_name: '张王村' }
const NOTICE = { ...URGENT, body: '请低洼地带住户今晚八点前转移。', urgent: true, attachments: [],
  targets: [{ place: '330825001201', name: '张王村' }], roles: [], from_place: '330825001201', by_name: null,
  status: 'published', status_name: '已发布', withdrawn_at: null, created_at: URGENT.publish_at,
  updated_at: URGENT.publish_at, version: 1, read: false, can_manage: false }

const settle = async () => {
  for (let i = 0; i < 4; i++) await flushPromises()
}
// Every screen: the banner above the page (as App.vue puts it).
const withBanner = (page) => ({ render: () => [h(UrgentBanner), h(page)] })
const ROUTES = [{ path: '/notices/:id', name: 'notice' }, { path: '/notices', name: 'notices' }]

enableAutoUnmount(afterEach)

describe('the urgent banner', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825', user_id: 'u1' }))
    localStorage.setItem('cqt.me', JSON.stringify(ME))
    reloadUrgent() // nothing kept from the test before
  })
  afterEach(() => vi.unstubAllGlobals())

  it("shows the home's unacknowledged urgent notice with no request of its own, and 知道了 takes it away", async () => {
    const f = fakeFetch((req) => {
      if (req.path === '/home') return { body: { me: ME, modules: [], parts: { notices: { urgent: [URGENT] } } } }
      if (req.method === 'POST' && req.path === '/notices/n1/read') return { status: 204 }
      return { status: 404, body: {} }
    })
    const { wrapper } = await mountScreen(withBanner(HomePage), { routes: ROUTES })
    await settle()
    const banner = wrapper.find('[data-test="urgent-banner"]')
    expect(banner.exists()).toBe(true)
    expect(banner.find('[data-test="urgent-title"]').text()).toBe('台风紧急转移通知')
    expect(f.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /home']) // the morning's one call
    // kept on the phone: a screen opened later (or after a reload) shows it too
    expect(JSON.parse(localStorage.getItem('cqt.notices.urgent')).items.map((n) => n.id)).toEqual(['n1'])

    await wrapper.find('[data-test="urgent-ack"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="urgent-banner"]').exists()).toBe(false)
    expect(f.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /home', 'POST /notices/n1/read'])
    expect(urgent.items).toEqual([])
    // a late answer of the home (asked before the read) cannot bring it back
    keepUrgent([URGENT])
    await settle()
    expect(wrapper.find('[data-test="urgent-banner"]').exists()).toBe(false)
  })

  it('opens the notice on a tap; reading it there hides it on every screen', async () => {
    keepUrgent([URGENT, { ...URGENT, id: 'n2', title: '停水通知' }])
    const f = fakeFetch((req) => {
      if (req.path === '/notices/n1' && req.method === 'GET') return { body: NOTICE }
      if (req.path === '/notices/n1/read' && req.method === 'POST') return { status: 204 }
      if (req.path === '/me') return { body: ME }
      return { status: 404, body: {} }
    })
    const other = { render: () => h('p', 'another screen') }
    const { wrapper, router } = await mountScreen(withBanner(other), { path: '/errands', routes: ROUTES })
    expect(wrapper.find('[data-test="urgent-banner"]').text()).toContain('共2条')
    await wrapper.find('[data-test="urgent-open"]').trigger('click')
    await settle()
    expect(router.currentRoute.value.fullPath).toBe('/notices/n1')
    expect(wrapper.find('[data-test="urgent-banner"]').exists()).toBe(false) // not over the notice itself

    const page = await mountScreen(NoticePage, { path: '/notices/n1', routes: ROUTES })
    await settle()
    expect(page.wrapper.find('[data-test="notice-body"]').text()).toBe('请低洼地带住户今晚八点前转移。')
    expect(f.requests().filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/notices/n1/read'])
    expect(urgent.items.map((n) => n.id)).toEqual(['n2'])

    await router.push('/errands')
    await settle()
    expect(wrapper.find('[data-test="urgent-title"]').text()).toBe('停水通知') // the next one, n1 is gone
  })

  it("shows nothing of another person's kept banner", async () => {
    keepUrgent([URGENT])
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'b', tenant: '330825', user_id: 'u2' }))
    const { mine, reloadUrgent } = await import('./urgent.js')
    expect(mine()).toEqual([]) // at once, before anything reloads
    reloadUrgent()
    expect(urgent.items).toEqual([])
  })
})
