import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import { loadSite } from '@shared/site.js'
import SignInPage from './SignInPage.vue'

// The footer's /site.json is the deployment's (shared/site.test.js): here the page's own requests only.
vi.mock('@shared/site.js', async (original) => ({ ...(await original()), loadSite: vi.fn(async () => ({ icp: null })) }))

const SESSION = { access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'u1', roles: [], memberships: [] }

function field(wrapper, name) {
  return wrapper.find(`[data-test="${name}"]`)
}

async function type(wrapper, name, value) {
  await field(wrapper, name).find('input').setValue(value)
}

describe('SignInPage', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.useRealTimers()
    document.body.innerHTML = ''
  })

  it('checks the phone number and the code before asking the server', async () => {
    const fetch = fakeFetch(() => ({ status: 500 }))
    const { wrapper } = await mountScreen(SignInPage, { path: '/signin' })
    await type(wrapper, 'phone', '1380000')
    await wrapper.find('[data-test="send-code"]').trigger('click')
    expect(field(wrapper, 'phone').text()).toContain('请输入11位手机号码')

    await type(wrapper, 'phone', '13800000000')
    await type(wrapper, 'code', '12a')
    await wrapper.find('form').trigger('submit')
    expect(field(wrapper, 'code').text()).toContain('请输入6位数字验证码')
    expect(field(wrapper, 'phone').text()).not.toContain('请输入')
    expect(fetch).not.toHaveBeenCalled()
  })

  it('sends the code and counts down to the next resend', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const fetch = fakeFetch(() => ({ status: 202, body: { expires_in: 300, resend_after: 60 } }))
    const { wrapper } = await mountScreen(SignInPage, { path: '/signin' })
    await type(wrapper, 'phone', '138 0000 0000')
    await wrapper.find('[data-test="send-code"]').trigger('click')
    await flushPromises()
    expect(fetch.requests()).toEqual([expect.objectContaining({ method: 'POST', path: '/auth/code', body: { phone: '13800000000' } })])
    const button = wrapper.find('[data-test="send-code"]')
    expect(button.text()).toBe('60秒后重发')
    expect(button.attributes('disabled')).toBeDefined()
    expect(wrapper.text()).toContain('验证码已发送至 13800000000')
    vi.advanceTimersByTime(3000)
    await flushPromises()
    expect(button.text()).toBe('57秒后重发')
  })

  it('shows a 429 next to the phone with the Retry-After wait on the button', async () => {
    fakeFetch(() => apiError(429, 'otp_resend_throttled', '验证码已发送，请稍后再试', { retry_after: 60 }, { 'Retry-After': '42' }))
    const { wrapper } = await mountScreen(SignInPage, { path: '/signin' })
    await type(wrapper, 'phone', '13800000000')
    await wrapper.find('[data-test="send-code"]').trigger('click')
    await flushPromises()
    expect(field(wrapper, 'phone').text()).toContain('验证码已发送，请稍后再试')
    expect(wrapper.find('[data-test="send-code"]').text()).toBe('42秒后重发')
  })

  it('shows a wrong code under the code input, and 422 field errors under their inputs, never JSON', async () => {
    fakeFetch(({ path }) =>
      path === '/auth/token'
        ? apiError(400, 'otp_wrong', '验证码不正确')
        : apiError(422, 'validation_failed', '提交的内容不符合要求', [
            { field: 'phone', code: 'value_error', message: '请输入有效的11位手机号' },
          ]),
    )
    const { wrapper } = await mountScreen(SignInPage, { path: '/signin' })
    await type(wrapper, 'phone', '13800000000')
    await type(wrapper, 'code', '123456')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(field(wrapper, 'code').text()).toContain('验证码不正确')

    await wrapper.find('[data-test="send-code"]').trigger('click')
    await flushPromises()
    expect(field(wrapper, 'phone').text()).toContain('请输入有效的11位手机号')
    expect(wrapper.text()).not.toContain('{')
  })

  it('offers a retry when the network fails, and signs in on retry', async () => {
    let up = false
    const fetch = fakeFetch(() => (up ? { body: SESSION } : offline()))
    const { wrapper, router } = await mountScreen(SignInPage, { path: '/signin?next=/inbox' })
    await type(wrapper, 'phone', '13800000000')
    await type(wrapper, 'code', '123456')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toContain('网络不通，请检查信号后重试')
    up = true
    await wrapper.find('[data-test="retry"]').trigger('click')
    await flushPromises()
    expect(fetch).toHaveBeenCalledTimes(2)
    expect(JSON.parse(localStorage.getItem('cqt.session')).access_token).toBe('a')
    expect(router.currentRoute.value.fullPath).toBe('/inbox')
  })

  it('shows the ICP recordal number, linked to the MIIT, where the deployment names one (China)', async () => {
    fakeFetch(() => ({ status: 500 }))
    const none = await mountScreen(SignInPage, { path: '/signin' })
    await flushPromises()
    expect(none.wrapper.find('[data-test="icp"]').exists()).toBe(false)
    none.wrapper.unmount()
    loadSite.mockResolvedValueOnce({ icp: '浙ICP备12345678号-1' })
    const { wrapper } = await mountScreen(SignInPage, { path: '/signin' })
    await flushPromises()
    const link = wrapper.find('[data-test="icp"] a')
    expect(link.text()).toBe('浙ICP备12345678号-1')
    expect(link.attributes('href')).toBe('https://beian.miit.gov.cn/')
  })
})
