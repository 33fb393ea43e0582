import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { session } from '@shared/api.js'
import { rememberCounty } from '@shared/cells.js'
import { fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import ChooseCountyPage from './ChooseCountyPage.vue'

const CHOOSING = {
  access_token: 'a',
  refresh_token: null,
  tenant: null,
  user_id: null,
  roles: [],
  memberships: [
    { tenant: '330825', name: '龙游县' },
    { tenant: '330881', name: '江山市' },
  ],
}
const IN_JIANGSHAN = { ...CHOOSING, refresh_token: 'r', tenant: '330881', user_id: 'u2' }

function server() {
  return fakeFetch(({ path }) => {
    if (path === '/auth/switch') return { body: IN_JIANGSHAN }
    if (path === '/me') return { body: { user_id: 'u2', tenant: '330881', permissions: [], grants: [] } }
    return { status: 404 }
  })
}

describe('ChooseCountyPage', () => {
  beforeEach(() => {
    localStorage.clear()
    session.save(CHOOSING)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('lists the counties and waits for a choice', async () => {
    const fetch = server()
    const { wrapper } = await mountScreen(ChooseCountyPage, { path: '/county' })
    await flushPromises()
    expect(wrapper.text()).toContain('龙游县')
    expect(wrapper.text()).toContain('江山市')
    expect(fetch).not.toHaveBeenCalled()
  })

  it("opens the county whose link the person came by, once", async () => {
    rememberCounty('330881')
    const fetch = server()
    const { router } = await mountScreen(ChooseCountyPage, { path: '/county', routes: [{ path: '/start', name: 'start' }] })
    await flushPromises()
    expect(fetch.requests()[0]).toEqual(expect.objectContaining({ method: 'POST', path: '/auth/switch', body: { tenant: '330881' } }))
    expect(router.currentRoute.value.name).toBe('start')
    expect(localStorage.getItem('cqt.county')).toBeNull()
  })

  it("asks when the linked county is not one of the person's", async () => {
    rememberCounty('110101')
    const fetch = server()
    await mountScreen(ChooseCountyPage, { path: '/county' })
    await flushPromises()
    expect(fetch).not.toHaveBeenCalled()
    expect(localStorage.getItem('cqt.county')).toBeNull()
  })
})
