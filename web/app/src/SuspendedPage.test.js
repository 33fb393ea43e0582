// A suspended county: every request's 403 county_disabled shows one page with whom to contact, the session is
// kept (no silent sign-out, also when the token had to be refreshed), and the page goes once the county is back.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { api, onSessionEnded, session } from '@shared/api.js'
import { clearSuspension, suspension } from '@shared/suspension.js'
import SuspendedPage from '@shared/SuspendedPage.vue'
import { fakeFetch, flushPromises, mountScreen } from './test-support.js'

const SUSPENDED = {
  status: 403,
  body: { error: { code: 'county_disabled', message: '本县服务已暂停',
    details: { county: '330825', county_name: '龙游县', contact: '龙游县大数据发展中心 0570-7012345', since: '2026-12-06T01:30:00Z' } } },
}
const SESSION = { access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'u1',
  memberships: [{ tenant: '330825', name: '龙游县' }, { tenant: '330881', name: '江山市' }] }

enableAutoUnmount(afterEach)

describe('a suspended county', () => {
  beforeEach(() => {
    localStorage.clear()
    session.save(SESSION)
    clearSuspension()
  })
  afterEach(() => vi.unstubAllGlobals())

  it('any request that meets 403 county_disabled raises the page, and the session is kept', async () => {
    fakeFetch(() => SUSPENDED)
    await expect(api.get('/me')).rejects.toMatchObject({ status: 403, code: 'county_disabled' })
    expect(suspension).toMatchObject({ active: true, countyName: '龙游县', contact: '龙游县大数据发展中心 0570-7012345' })
    expect(session.load()).toEqual(SESSION)
  })

  it('an expired token whose refresh is refused as suspended is not a sign-out', async () => {
    const ended = vi.fn()
    const off = onSessionEnded(ended)
    const fetch = fakeFetch((req) => (req.path === '/auth/refresh' ? SUSPENDED : { status: 401, body: { error: { code: 'token_expired', message: '登录已过期' } } }))
    await expect(api.get('/inbox')).rejects.toMatchObject({ code: 'county_disabled' })
    off()
    expect(fetch.mock.calls.map((c) => String(c[0]))).toEqual(['/api/inbox', '/api/auth/refresh'])
    expect(ended).not.toHaveBeenCalled()
    expect(suspension.active).toBe(true)
    expect(session.load()).toEqual(SESSION)
  })

  it('shows the county, the time (Asia/Shanghai) and whom to contact; 重新检查 clears it once the county is back', async () => {
    fakeFetch(() => SUSPENDED)
    await api.get('/me').catch(() => {})
    const { wrapper } = await mountScreen(SuspendedPage)
    expect(wrapper.find('h1').text()).toBe('本县服务已暂停')
    expect(wrapper.text()).toContain('龙游县的村情通服务已暂停')
    expect(wrapper.text()).toContain('2026/12/06 09:30')
    expect(wrapper.find('[data-test="suspended-contact"]').text()).toBe('龙游县大数据发展中心 0570-7012345')
    const buttons = wrapper.findAll('button').map((b) => b.text())
    expect(buttons).toEqual(['重新检查', '进入江山市', '退出登录'])

    await wrapper.findAll('button')[0].trigger('click') // still suspended
    await flushPromises()
    expect(suspension.active).toBe(true)
    expect(wrapper.text()).toContain('服务仍在暂停中')

    fakeFetch(() => ({ body: { tenant: '330825', user_id: 'u1', grants: [], modules: [] } }))
    await wrapper.findAll('button')[0].trigger('click')
    await flushPromises()
    expect(suspension.active).toBe(false)
  })
})
