// One 网上代办 application (/errands/applications/:ref) for its applicant.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../../test-support.js'
import ApplicationPage from './ApplicationPage.vue'

const REF = 'DB-330825-000001'
const url = (n) => `http://s3.local/media/330825/cases/errand/v1/k${n}.jpg?sig=1`
const APPLICATION = {
  case: {
    ref: REF, type: 'errand', type_name: '网上代办', status: 'assigned', status_name: '待受理', mine: true,
    created_at: '2026-12-07T02:00:00Z', updated_at: '2026-12-07T02:00:00Z', actions: [],
    timeline: [
      { event: 'filed', event_name: '已提交', at: '2026-12-07T02:00:00Z', by: '溪阿婆', by_role: 'filer', status: 'filed', note: null, detail: {} },
      { event: 'assigned', event_name: '已派单', at: '2026-12-07T02:00:00Z', by: '系统', by_role: 'system', status: 'assigned', note: null, detail: {} },
    ],
  },
  item: { id: 'a00000000001', name: '生育登记', department: '县卫生健康局', time_limit_days: 20, promised_days: 5 },
  household: 'h1',
  values: {
    f1: { label: '孩子出生日期', type: 'date', value: '2026-11-20' },
    f2: { label: '父亲身份证号', type: 'id_number', value: '11010519491231002X' },
    f3: { label: '分娩方式', type: 'choice', value: '顺产' },
    f4: { label: '出生医学证明', type: 'photo', value: [url(1)] },
  },
  materials: [
    { name: '夫妻双方身份证', original_required: true, photos: [url(2), url(3)] },
    { name: '结婚证', original_required: false, photos: [url(4)] },
  ],
  delivery: 'courier', address: '龙游县灵山村1号', phone: '13800001234',
}

async function open(answer) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'v1' }))
  const fetch = fakeFetch(answer)
  const screen = await mountScreen(ApplicationPage, {
    path: `/errands/applications/${REF}`,
    routes: [{ path: '/errands/applications/:ref', name: 'errand-application' }, { path: '/cases', name: 'cases-mine' }, { path: '/errands/mine', name: 'errands-mine' }],
  })
  for (let i = 0; i < 4; i++) await flushPromises()
  return { ...screen, fetch }
}

enableAutoUnmount(afterEach)

describe('one 网上代办 application', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('shows the status with the timeline, the item, the values, the materials and the courier address', async () => {
    const { wrapper, fetch } = await open(() => ({ body: APPLICATION }))
    expect(fetch.requests().map((r) => `${r.method} ${r.path}`)).toEqual([`GET /errands/applications/${REF}`])
    expect(wrapper.find('[data-test="status"]').text()).toBe('待受理')
    expect(wrapper.find('[data-test="application-item"]').text()).toBe('生育登记')
    expect(wrapper.find('[data-test="application-department"]').text()).toBe('县卫生健康局')
    expect(wrapper.find('[data-test="ref"]').text()).toBe(REF)
    expect(wrapper.find('[data-test="days"]').text()).toBe('5个工作日')
    expect(wrapper.text()).toContain('2026/12/07 10:00') // Asia/Shanghai
    const values = wrapper.find('[data-test="values"]')
    expect(values.findAll('dt').map((d) => d.text())).toEqual(['孩子出生日期', '父亲身份证号', '分娩方式', '出生医学证明'])
    expect(wrapper.find('[data-test="value-f2"]').text()).toBe('11010519491231002X')
    expect(wrapper.find('[data-test="value-f3"]').text()).toBe('顺产')
    expect(wrapper.find('[data-test="value-f4"] img').attributes('src')).toBe(url(1))
    expect(wrapper.find('[data-test="material-0"]').text()).toContain('1. 夫妻双方身份证')
    expect(wrapper.find('[data-test="material-0"] [data-test="original-required"]').text()).toBe('须验原件')
    expect(wrapper.find('[data-test="material-1"] [data-test="original-required"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-test="material-photo"] img').map((i) => i.attributes('src'))).toEqual([url(2), url(3), url(4)])
    expect(wrapper.find('[data-test="delivery-choice"]').text()).toBe('快递到家')
    expect(wrapper.find('[data-test="address"]').text()).toBe('龙游县灵山村1号')
    expect(wrapper.find('[data-test="phone"]').text()).toBe('13800001234')
    expect(wrapper.findAll('[data-test="event-name"]').map((e) => e.text())).toEqual(['已提交', '已派单'])
  })

  it('enlarges a material photo when tapped, starting at that one', async () => {
    const { wrapper } = await open(() => ({ body: APPLICATION }))
    await wrapper.findAll('[data-test="material-photo"]')[1].trigger('click')
    for (let i = 0; i < 3; i++) await flushPromises()
    const preview = document.querySelector('.van-image-preview')
    expect(preview).not.toBeNull()
    expect([...preview.querySelectorAll('img')].map((i) => i.getAttribute('src'))).toEqual([url(2), url(3)])
    expect(preview.querySelector('.van-image-preview__index').textContent.trim()).toBe('2 / 2')
  })

  it('says 网点自取 without an address for a pickup', async () => {
    const { wrapper } = await open(() => ({ body: { ...APPLICATION, delivery: 'pickup', address: null, phone: null } }))
    expect(wrapper.find('[data-test="delivery-choice"]').text()).toBe('网点自取')
    expect(wrapper.find('[data-test="address"]').exists()).toBe(false)
  })

  it('says why when it cannot be seen', async () => {
    const { wrapper } = await open(() => apiError(404, 'not_found', '找不到该申请'))
    expect(wrapper.find('.error-block').text()).toContain('找不到该申请')
    expect(wrapper.find('[data-test="application"]').exists()).toBe(false)
  })
})
