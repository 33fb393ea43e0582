import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { createPinia, setActivePinia } from 'pinia'
import ElementPlus from 'element-plus'
import { mount } from '@vue/test-utils'
import { fakeFetch, flush } from '../common/testing.js'
import { i18n, setLocale } from '../i18n/index.js'
import { loadSite } from '@shared/site.js'
import SignInPage from './SignInPage.vue'

// The footer's /site.json is the deployment's (shared/site.test.js): here the page's own requests only.
vi.mock('@shared/site.js', async (original) => ({ ...(await original()), loadSite: vi.fn(async () => ({ icp: null })) }))

afterEach(() => {
  vi.unstubAllGlobals()
  localStorage.clear()
  document.body.innerHTML = ''
})

const settle = async () => {
  for (let i = 0; i < 10; i++) await flush()
}

function mountPage() {
  const pinia = createPinia()
  setActivePinia(pinia)
  setLocale('zh-CN')
  const router = createRouter({ history: createMemoryHistory('/console/'), routes: [
    { path: '/signin', name: 'signin', component: SignInPage }, { path: '/', component: { template: '<p>home</p>' } }] })
  const w = mount({ template: '<router-view />' }, { attachTo: document.body,
    global: { plugins: [i18n, pinia, router, ElementPlus] } })
  return { w, router, ready: router.push('/signin') }
}

const SESSION = { access_token: 'a1', refresh_token: 'r1', expires_in: 900, tenant: null, user_id: 'u1', roles: [],
  memberships: [{ tenant: '330825', name: '龙游县' }, { tenant: '330881', name: '江山市' }] }

describe('SignInPage', () => {
  it('signs in with phone and code, then lets a person in two counties choose one', async () => {
    const f = fakeFetch([
      ['POST', '/api/auth/code', { status: 202, body: { expires_in: 300, resend_after: 60 } }],
      ['POST', '/api/auth/token', { status: 200, body: SESSION }],
      ['POST', '/api/auth/switch', { status: 200, body: { ...SESSION, access_token: 'a2', refresh_token: 'r2',
        tenant: '330881', roles: ['county_admin'], memberships: [] } }],
      ['GET', '/api/me', { status: 200, body: { tenant: '330881', county_name: '江山市', name: '周江山',
        grants: [{ role: 'county_admin', place: '330881', role_name: '县级管理员（大数据局）' }], memberships:
          SESSION.memberships, modules: [], user_id: 'u1', phone: '137****0881' } }],
    ])
    vi.stubGlobal('fetch', f)
    const { w, router, ready } = mountPage()
    await ready
    await settle()
    await w.find('#signin-phone').setValue('13700000881')
    await w.findAll('button').find((b) => b.text() === '获取验证码').trigger('click')
    await settle()
    expect(w.text()).toMatch(/\d+ 秒后重新获取/)
    await w.find('#signin-code').setValue('123456')
    await w.find('form').trigger('submit')
    await settle()
    expect(JSON.parse(f.calls[1].init.body)).toEqual({ phone: '13700000881', code: '123456' })
    expect(w.text()).toContain('请选择要进入的县')
    const radios = w.findAll('input[type=radio]')
    expect(radios).toHaveLength(2)
    await radios[1].setValue(true)
    await w.find('form').trigger('submit')
    await settle()
    expect(JSON.parse(f.calls.find((c) => c.url === '/api/auth/switch').init.body)).toEqual({ tenant: '330881' })
    expect(JSON.parse(localStorage.getItem('cqt.session'))).toMatchObject({ access_token: 'a2', tenant: '330881' })
    expect(router.currentRoute.value.path).toBe('/')
    w.unmount()
  })

  it('shows the API message for a wrong code next to nothing else, in Chinese', async () => {
    vi.stubGlobal('fetch', fakeFetch([
      ['POST', '/api/auth/token', { status: 400, body: { error: { code: 'otp_wrong', message: '验证码不正确' } } }],
    ]))
    const { w, router, ready } = mountPage()
    await ready
    await settle()
    await w.find('#signin-phone').setValue('13700000881')
    await w.find('#signin-code').setValue('000000')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.find('[role=alert]').text()).toContain('验证码不正确')
    expect(w.text()).not.toContain('{')
    w.unmount()
  })

  it('shows the ICP recordal number at the foot of the page where the deployment names one (China)', async () => {
    vi.stubGlobal('fetch', fakeFetch([]))
    loadSite.mockResolvedValueOnce({ icp: '京ICP备2020034567号' })
    const { w, ready } = mountPage()
    await ready
    await settle()
    const link = w.find('[data-test="icp"] a')
    expect(link.text()).toBe('京ICP备2020034567号')
    expect(link.attributes('href')).toBe('https://beian.miit.gov.cn/')
    w.unmount()
  })
})
