// 代办: a grid worker applies on a household's behalf — 代办事项 (/field/errands/:hid) to choose the item, then the apply
// form in proxy mode (/field/errands/:hid/:id): the household fixed, 发送验证码 with a countdown, the family's code sent
// with the application, and what the server says about the code under the code field.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../../test-support.js'
import { GRID, WORKER_ME, uploadForm } from '../../cases/test-data.js'
import ApplyPage from './ApplyPage.vue'
import ProxyItemsPage from './ProxyItemsPage.vue'

vi.mock('@shared/image.js', () => ({
  shrinkPhoto: vi.fn(async () => new Blob([new Uint8Array(2048)], { type: 'image/jpeg' })),
}))

const HID = 'h0000000001'
const ITEM = {
  id: 'a00000000001', code: null, name: '生育登记', department: '县卫生健康局', summary: '', conditions: '',
  materials: [{ name: '夫妻双方身份证', note: '正反面拍照', original_required: true, sample_url: null }],
  fields: [{ key: 'f1', label: '女方姓名', type: 'text', required: true }],
  fee: '', time_limit_days: 20, promised_days: 1, delivery: ['pickup', 'courier'], keywords: ['准生证'],
  initials: 'sydj', enabled: true, updated_at: '2026-12-07T08:00:00Z', version: 1,
}
const OTHER = { ...ITEM, id: 'a00000000002', name: '老年优待证', department: '县民政局', initials: 'lnydz', keywords: [] }
const ME = { ...WORKER_ME, modules: ['errands'], permissions: { ...WORKER_ME.permissions, 'errands.proxy': [GRID] } }
const OUT = { case: { ref: 'DB-330825-000009', status: 'filed', status_name: '待受理', timeline: [], actions: [] } }
const ROUTES = [
  { path: '/field/errands/:hid', name: 'field-errands' },
  { path: '/field/errands/:hid/:id', name: 'field-errand-apply', meta: { field: true, proxy: true } },
  { path: '/errands/applications/:ref', name: 'errand-application' },
  { path: '/errands/:id', name: 'errand' },
]

function server({ consent = () => ({ status: 202, body: { phone: '138****1234', expires_in: 600, resend_after: 60 } }),
  post = () => ({ status: 201, body: OUT }) } = {}) {
  let forms = 0
  return fakeFetch((req) => {
    if (req.path === '/me') return { body: ME }
    if (req.path === '/errands/items') return { body: { version: 1, items: [ITEM, OTHER] } }
    if (req.path === `/errands/items/${ITEM.id}`) return { body: ITEM }
    if (req.path === `/households/${HID}`) return { body: { id: HID, grid: GRID, address: '灵山村8号', head_name: '陈大伯', members: [] } }
    if (req.method === 'POST' && req.path === '/errands/consents') return consent(req)
    if (req.method === 'POST' && req.path === '/cases/uploads') return { status: 201, body: uploadForm(++forms) }
    if (req.method === 'POST' && req.path === 'http://s3.local/media') return { status: 204 }
    if (req.method === 'POST' && req.path === '/errands/applications') return post(req)
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}

const settle = async () => {
  for (let i = 0; i < 6; i++) await flushPromises()
}

async function open(component, path) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: ME.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(ME))
  const screen = await mountScreen(component, { path, routes: ROUTES })
  await settle()
  return screen
}

async function fill(wrapper) {
  await wrapper.find('[data-test="value-f1"] input').setValue('陈小花')
  const input = wrapper.find('[data-test="material-0-photos-album"]')
  Object.defineProperty(input.element, 'files', { value: [new File(['x'], 'a.jpg', { type: 'image/jpeg' })], configurable: true })
  await input.trigger('change')
  await settle()
}

const posts = (fetch, path) => fetch.requests().filter((r) => r.method === 'POST' && r.path === path)
const codeError = (wrapper) => wrapper.find('[data-test="consent-code"] .van-field__error-message')

enableAutoUnmount(afterEach)

describe('代办事项: choosing the item for a household', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('says whose behalf, lists the catalogue, finds by pinyin initials and opens the proxy form', async () => {
    server()
    const { wrapper, router } = await open(ProxyItemsPage, `/field/errands/${HID}`)
    expect(wrapper.find('[data-test="proxy-banner"]').text()).toContain('为陈大伯家代办')
    expect(wrapper.findAll('[data-test="errand"]').map((r) => r.find('.errand-row__name').text())).toEqual(['生育登记', '老年优待证'])
    await wrapper.find('[data-test="errand-search"]').setValue('sydj')
    expect(wrapper.findAll('[data-test="errand"]').map((r) => r.find('.errand-row__name').text())).toEqual(['生育登记'])
    await wrapper.find('[data-test="errand-search"]').setValue('准生证')
    expect(wrapper.findAll('[data-test="errand"]')).toHaveLength(1)
    await wrapper.find('[data-test="errand"]').trigger('click')
    await settle()
    expect(router.currentRoute.value.fullPath).toBe(`/field/errands/${HID}/${ITEM.id}`)
  })
})

describe('代办申请: the form on a household\'s behalf', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('fixes the household, sends the code with a countdown and files with the code', async () => {
    const fetch = server()
    const { wrapper, router } = await open(ApplyPage, `/field/errands/${HID}/${ITEM.id}`)
    expect(wrapper.find('[data-test="proxy-banner"]').text()).toContain('为陈大伯家代办')
    expect(wrapper.find('[data-test="household"]').exists()).toBe(false)
    await fill(wrapper)
    // Without the code nothing is sent.
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(codeError(wrapper).text()).toBe('请填写户主收到的6位验证码')
    expect(posts(fetch, '/errands/applications')).toHaveLength(0)

    await wrapper.find('[data-test="send-consent"]').trigger('click')
    await settle()
    expect(posts(fetch, '/errands/consents').map((r) => r.body)).toEqual([{ household: HID }])
    expect(wrapper.find('[data-test="consent-sent"]').text()).toBe('验证码已发送至 138****1234')
    const button = wrapper.find('[data-test="send-consent"]')
    expect(button.attributes('disabled')).toBeDefined()
    expect(button.text()).toMatch(/^(60|59)秒后重发$/)
    expect(codeError(wrapper).exists()).toBe(false) // said its piece: the button was pressed

    await wrapper.find('[data-test="consent-code"] input').setValue('12345')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(codeError(wrapper).text()).toBe('验证码为6位数字')
    await wrapper.find('[data-test="consent-code"] input').setValue('123456')
    await wrapper.find('form').trigger('submit')
    await settle()
    const [sent] = posts(fetch, '/errands/applications')
    expect(sent.body).toMatchObject({ item: ITEM.id, household: HID, consent_code: '123456', values: { f1: '陈小花' } })
    expect(sent.headers['Idempotency-Key']).toBeTruthy()
    expect(router.currentRoute.value.fullPath).toBe(`/errands/applications/${OUT.case.ref}`)
  })

  it('says a wrong, expired or used code under the code field, with what to do', async () => {
    const answers = [
      apiError(400, 'consent_wrong', '验证码不正确', { tries_left: 2 }),
      apiError(400, 'consent_expired', '验证码已过期，请重新发送'),
      apiError(400, 'consent_used', '验证码已使用，请重新发送'),
      apiError(400, 'consent_locked', '验证码错误次数过多，请重新发送'),
      apiError(400, 'consent_missing', '请先给该户发送验证码'),
      apiError(422, 'validation_failed', '请求参数有误', [{ field: 'consent_code', code: 'required', message: '请填写验证码' }]),
    ]
    const fetch = server({ post: () => answers.shift() })
    const { wrapper, router } = await open(ApplyPage, `/field/errands/${HID}/${ITEM.id}`)
    await fill(wrapper)
    const said = []
    for (const code of ['111111', '222222', '333333', '444444', '555555', '666666']) {
      await wrapper.find('[data-test="consent-code"] input').setValue(code)
      await wrapper.find('form').trigger('submit')
      await settle()
      said.push(codeError(wrapper).text())
      if (said.length === 5) expect(wrapper.find('.error-block').exists()).toBe(false) // said once, where it belongs
    }
    expect(said).toEqual([
      '验证码不正确，还可以再试2次',
      '验证码已过期（10分钟内有效），请重新发送',
      '这个验证码已经用过了，请重新发送验证码',
      '验证码错误次数过多，请重新发送验证码',
      '还没有给该户发送验证码，请先点“发送验证码”',
      '请填写验证码',
    ])
    expect(posts(fetch, '/errands/applications').map((r) => r.body.consent_code)).toEqual(['111111', '222222', '333333', '444444', '555555', '666666'])
    expect(router.currentRoute.value.name).toBe('field-errand-apply')
    // Typing a new code takes the old message away.
    await wrapper.find('[data-test="consent-code"] input').setValue('777777')
    expect(codeError(wrapper).exists()).toBe(false)
  })

  it('says when a code was just sent (and counts down) or the household has no phone', async () => {
    const answers = [
      apiError(429, 'consent_resend_throttled', '验证码已发送，请稍后再试', { retry_after: 42 }),
      apiError(422, 'no_household_phone', '该户没有登记手机号'),
    ]
    server({ consent: () => answers.shift() })
    const { wrapper } = await open(ApplyPage, `/field/errands/${HID}/${ITEM.id}`)
    await wrapper.find('[data-test="send-consent"]').trigger('click')
    await settle()
    expect(codeError(wrapper).text()).toBe('验证码刚发过，请42秒后再发')
    expect(wrapper.find('[data-test="send-consent"]').text()).toMatch(/^(42|41)秒后重发$/)
    expect(wrapper.find('[data-test="consent-sent"]').exists()).toBe(false)

    const { wrapper: again } = await open(ApplyPage, `/field/errands/${HID}/${ITEM.id}`)
    await again.find('[data-test="send-consent"]').trigger('click')
    await settle()
    expect(codeError(again).text()).toBe('该户没有登记手机号，无法发送验证码。请先在住户信息中补充户主手机号。')
    expect(again.find('[data-test="send-consent"]').attributes('disabled')).toBeUndefined()
  })
})
