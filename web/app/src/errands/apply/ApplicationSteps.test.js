// The family's steps on its application (ApplicationPage + ApplicationSteps): 补充材料 after a return, 确认收到 once
// shipped (courier and tracking number shown) or ready, 评价 after receipt; the 代办 banner.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../../test-support.js'
import { uploadForm } from '../../cases/test-data.js'
import ApplicationPage from './ApplicationPage.vue'

vi.mock('@shared/image.js', () => ({
  shrinkPhoto: vi.fn(async () => new Blob([new Uint8Array(2048)], { type: 'image/jpeg' })),
}))

const REF = 'DB-330825-000007'
const url = (n) => `http://s3.local/media/330825/cases/errand/v1/k${n}.jpg?sig=1`
const event = (e, name, note = null) => ({ event: e, event_name: name, at: '2026-12-07T02:00:00Z', by: '祝村管', by_role: 'village_admin', status: 'accepted', note, detail: {} })
const BASE = {
  case: {
    ref: REF, type: 'errand', type_name: '网上代办', status: 'accepted', status_name: '处理中', mine: false,
    created_at: '2026-12-07T02:00:00Z', updated_at: '2026-12-07T02:00:00Z', actions: [],
    timeline: [{ ...event('filed', '已提交', '由专职网格员汪专网代为申请，户主手机138****1234短信验证同意'), by: '汪专网', by_role: 'grid_worker' }],
  },
  item: { id: 'a00000000001', name: '生育登记', department: '县卫生健康局', time_limit_days: 20, promised_days: 1 },
  household: 'h1', values: {},
  materials: [{ name: '夫妻双方居民身份证', original_required: true, photos: [url(1)] }, { name: '户口簿', original_required: false, photos: [url(2)] }],
  delivery: 'courier', address: '龙游县张王村代办路8号', phone: '13800001234',
  stage: 'submitted', stage_name: '待受理', steps: [],
  on_behalf: { by: '汪专网', role: 'grid_worker', role_name: '专职网格员', consent_phone: '138****1234', consent_at: '2026-12-07T02:00:00Z' },
  courier: null, tracking_no: null, shipped_at: null, ready_at: null, received_at: null,
}
const at = (over) => ({ ...BASE, ...over, case: { ...BASE.case, ...(over.case ?? {}) } })
const RETURNED = at({
  stage: 'returned', stage_name: '需补充材料', steps: ['supplement'],
  case: { timeline: [...BASE.case.timeline, event('returned', '需补充材料', '户口簿照片不清楚，请重新拍摄')] },
})
const SHIPPED = at({ stage: 'shipped', stage_name: '已寄出', steps: ['receive'], courier: '中国邮政EMS', tracking_no: 'EMS1234567890' })
const RECEIVED = at({ stage: 'received', stage_name: '已签收', steps: ['rate'], courier: '中国邮政EMS', tracking_no: 'EMS1234567890' })
const CLOSED = at({ stage: 'received', stage_name: '已签收', steps: [], case: { status: 'closed', status_name: '已完成' } })

async function open(first, step = () => ({ body: CLOSED })) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'v1' }))
  let forms = 0
  const fetch = fakeFetch((req) => {
    if (req.method === 'GET' && req.path === `/errands/applications/${REF}`) return { body: first }
    if (req.method === 'POST' && req.path === '/cases/uploads') return { status: 201, body: uploadForm(++forms) }
    if (req.method === 'POST' && req.path === 'http://s3.local/media') return { status: 204 }
    if (req.method === 'POST' && req.path === `/errands/applications/${REF}/actions`) return step(req)
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
  const screen = await mountScreen(ApplicationPage, {
    path: `/errands/applications/${REF}`,
    routes: [{ path: '/errands/applications/:ref', name: 'errand-application' }, { path: '/errands/mine', name: 'errands-mine' }],
  })
  await settle()
  return { ...screen, fetch }
}
const settle = async () => {
  for (let i = 0; i < 6; i++) await flushPromises()
}
const actions = (fetch) => fetch.requests().filter((r) => r.path === `/errands/applications/${REF}/actions`)

enableAutoUnmount(afterEach)

describe('the family\'s steps on an application', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('says who applied on the family\'s behalf, and offers nothing while the service point has it', async () => {
    const { wrapper } = await open(BASE)
    expect(wrapper.find('[data-test="on-behalf"]').text()).toContain('由专职网格员汪专网代为申请')
    expect(wrapper.find('[data-test="on-behalf"]').text()).toContain('138****1234')
    expect(wrapper.find('[data-test="stage"]').text()).toBe('待受理')
    for (const s of ['supplement', 'receive', 'rate']) expect(wrapper.find(`[data-test="step-${s}"]`).exists()).toBe(false)
    expect(wrapper.find('[data-test="to-mine"]').attributes('href')).toBe('/errands/mine')
  })

  it('supplements every material after a return, showing why it came back', async () => {
    const { wrapper, fetch } = await open(RETURNED, () => ({ body: at({ stage: 'submitted', stage_name: '待受理' }) }))
    const card = wrapper.find('[data-test="step-supplement"]')
    expect(card.find('[data-test="return-reason"]').text()).toBe('退回原因：户口簿照片不清楚，请重新拍摄')
    // Every material needs its photos again.
    await card.find('[data-test="send-supplement"]').trigger('click')
    await settle()
    expect(actions(fetch)).toHaveLength(0)
    expect(wrapper.find('[data-test="supplement-1"]').text()).toContain('请至少拍一张照片')
    for (const i of [0, 1]) {
      const input = wrapper.find(`[data-test="supplement-${i}-photos-album"]`)
      Object.defineProperty(input.element, 'files', { value: [new File(['x'], `${i}.jpg`, { type: 'image/jpeg' })], configurable: true })
      await input.trigger('change')
      await settle()
    }
    await wrapper.find('[data-test="supplement-note"] textarea').setValue('已重新拍摄户口簿')
    await wrapper.find('[data-test="send-supplement"]').trigger('click')
    await settle()
    const [sent] = actions(fetch)
    expect(sent.body).toEqual({ action: 'supplement', materials: [[expect.any(String)], [expect.any(String)]], note: '已重新拍摄户口簿' })
    expect(sent.body.materials.flat()).toEqual(['330825/cases/snap/v1/k1.jpg', '330825/cases/snap/v1/k2.jpg'])
    expect(sent.headers['Idempotency-Key']).toBeTruthy()
    expect(wrapper.find('[data-test="step-supplement"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="stage"]').text()).toBe('待受理')
  })

  it('shows the courier and tracking number, confirms receipt, then rates it with stars and a note', async () => {
    let answer = { body: RECEIVED }
    const { wrapper, fetch } = await open(SHIPPED, () => answer)
    expect(wrapper.find('[data-test="courier"]').text()).toBe('中国邮政EMS')
    expect(wrapper.find('[data-test="tracking-no"]').text()).toBe('EMS1234567890')
    await wrapper.find('[data-test="receive"]').trigger('click')
    await settle()
    expect(actions(fetch).map((r) => r.body)).toEqual([{ action: 'receive' }])
    expect(wrapper.find('[data-test="step-receive"]').exists()).toBe(false)
    // No stars: nothing sent.
    await wrapper.find('[data-test="send-rate"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="step-rate"]').text()).toContain('请点星星打分')
    expect(actions(fetch)).toHaveLength(1)
    const stars = wrapper.findAll('[data-test="stars"] input[type="radio"]')
    expect(stars).toHaveLength(5)
    await stars[4].setValue(true)
    expect(wrapper.findAll('.application-star--on')).toHaveLength(5)
    await wrapper.find('[data-test="rate-note"] textarea').setValue('没出村就办好了')
    answer = { body: CLOSED }
    await wrapper.find('[data-test="send-rate"]').trigger('click')
    await settle()
    expect(actions(fetch).map((r) => r.body)).toEqual([{ action: 'receive' }, { action: 'rate', rating: 5, note: '没出村就办好了' }])
    const keys = actions(fetch).map((r) => r.headers['Idempotency-Key'])
    expect(new Set(keys).size).toBe(2)
    expect(wrapper.find('[data-test="step-rate"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="status"]').text()).toBe('已完成')
  })

  it('says 请到村代办点领取 once ready, and keeps the step when the server refuses it', async () => {
    const ready = at({ delivery: 'pickup', address: null, stage: 'ready', stage_name: '待领取', steps: ['receive'] })
    const { wrapper, fetch } = await open(ready, () => apiError(409, 'invalid_transition', '该申请已签收，不能确认收到'))
    expect(wrapper.find('[data-test="ready"]').text()).toContain('请到村代办点领取')
    expect(wrapper.find('[data-test="shipping"]').exists()).toBe(false)
    await wrapper.find('[data-test="receive"]').trigger('click')
    await settle()
    expect(actions(fetch)).toHaveLength(1)
    expect(wrapper.find('.error-block').text()).toContain('该申请已签收，不能确认收到')
    expect(wrapper.find('[data-test="step-receive"]').exists()).toBe(true)
  })
})
