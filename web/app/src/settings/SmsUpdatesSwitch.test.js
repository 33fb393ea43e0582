import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import { MAILBOX_ME } from '../cases/test-data.js'
import ProfilePage from '../profile/ProfilePage.vue'

const ME = { ...MAILBOX_ME, county_name: '龙游县', phone: '138****0000', memberships: [], sms_updates: false }

async function settle() {
  for (let i = 0; i < 6; i++) await flushPromises()
}

async function open(me = ME) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
  const screen = await mountScreen(ProfilePage, { path: '/profile' })
  await settle()
  return screen
}

const puts = (fetch) => fetch.requests().filter((r) => r.method === 'PUT')

enableAutoUnmount(afterEach)

describe('事项进展短信通知 (我的 → 设置)', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('shows what the server holds, says it costs nothing, and switches it on with PUT /me/settings', async () => {
    let held = false
    const fetch = fakeFetch((req) => {
      if (req.method === 'PUT' && req.path === '/me/settings') {
        held = req.body.sms_updates
        return { body: { ...ME, sms_updates: held } }
      }
      if (req.path === '/me') return { body: { ...ME, sms_updates: held } }
      return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
    })
    const { wrapper } = await open()
    const cell = wrapper.find('[data-test="sms-cell"]')
    expect(cell.text()).toContain('事项进展短信通知')
    expect(cell.text()).toContain('短信不收您任何费用')
    expect(cell.text()).toContain('每一步进展在“通知”里都有')
    const toggle = wrapper.find('[data-test="sms-switch"]')
    expect(toggle.attributes('role')).toBe('switch')
    expect(toggle.attributes('aria-label')).toBe('事项进展短信通知')
    expect(toggle.attributes('aria-checked')).toBe('false')

    await toggle.trigger('click')
    await settle()
    expect(puts(fetch).map((r) => [r.path, r.body])).toEqual([['/me/settings', { sms_updates: true }]])
    expect(wrapper.find('[data-test="sms-switch"]').attributes('aria-checked')).toBe('true')
    expect(JSON.parse(localStorage.getItem('cqt.me')).sms_updates).toBe(true) // kept for the next start, offline too

    await wrapper.find('[data-test="sms-switch"]').trigger('click')
    await settle()
    expect(puts(fetch).map((r) => r.body)).toEqual([{ sms_updates: true }, { sms_updates: false }])
    expect(wrapper.find('[data-test="sms-switch"]').attributes('aria-checked')).toBe('false')
  })

  it('stays as it was when the change cannot be saved, says why, and retries', async () => {
    let tries = 0
    const fetch = fakeFetch((req) => {
      if (req.method === 'PUT') return ++tries === 1 ? offline() : { body: { ...ME, sms_updates: true } }
      if (req.path === '/me') return { body: ME }
      return apiError(404, 'not_found', 'x')
    })
    const { wrapper } = await open()
    await wrapper.find('[data-test="sms-switch"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="sms-switch"]').attributes('aria-checked')).toBe('false')
    expect(wrapper.find('.sms-error').text()).toContain('网络')
    await wrapper.find('.sms-error [data-test="retry"]').trigger('click')
    await settle()
    expect(puts(fetch).map((r) => r.body)).toEqual([{ sms_updates: true }, { sms_updates: true }])
    expect(wrapper.find('[data-test="sms-switch"]').attributes('aria-checked')).toBe('true')
    expect(wrapper.find('.sms-error').exists()).toBe(false)
  })
})
