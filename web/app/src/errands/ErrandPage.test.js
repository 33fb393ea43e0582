import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import ErrandPage from './ErrandPage.vue'

const ITEM = {
  id: 'a00000000001', code: '330825-SY-001', name: '生育登记', department: '县卫生健康局',
  summary: '夫妻生育第一、二、三个子女的，可办理生育登记。', conditions: '夫妻至少一方户籍在本县',
  materials: [
    { name: '夫妻双方身份证', note: '原件拍照', original_required: true, sample_url: null },
    { name: '结婚证', note: '', original_required: false, sample_url: null },
  ],
  fields: [
    { key: 'f1', label: '孩子出生日期', type: 'date', required: true },
    { key: 'f2', label: '分娩方式', type: 'choice', required: false, choices: ['顺产', '剖宫产'] },
    { key: 'f3', label: '母亲身份证号', type: 'id_number', required: true },
    { key: 'f4', label: '出生医学证明', type: 'photo', required: true },
    { key: 'f5', label: '备注', type: 'text', required: false },
  ],
  fee: '不收费', time_limit_days: 20, promised_days: 0, delivery: ['pickup', 'courier'], keywords: ['准生证'],
  initials: 'sydj', enabled: true, updated_at: '2026-12-07T08:00:00Z', version: 3,
}

const APPLY = { path: '/errands/:id/apply', name: 'errand-apply' }

async function open(id = ITEM.id, routes = [APPLY]) {
  const screen = await mountScreen(ErrandPage, { path: `/errands/${id}`, routes: [{ path: '/errands/:id', name: 'errand' }, ...routes] })
  for (let i = 0; i < 3; i++) await flushPromises()
  return screen
}

enableAutoUnmount(afterEach)

describe('one 网上代办 item', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'v1' }))
  })
  afterEach(() => vi.unstubAllGlobals())

  it('says what it is, the numbered materials with 须验原件, the fields in plain words, fee, limits and delivery', async () => {
    const fetch = fakeFetch(() => ({ body: ITEM }))
    const { wrapper, router } = await open()
    expect(fetch.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /errands/items/a00000000001'])
    expect(wrapper.find('[data-test="errand-name"]').text()).toBe('生育登记')
    expect(wrapper.find('[data-test="errand-department"]').text()).toBe('县卫生健康局')
    expect(wrapper.find('[data-test="errand-about"]').text()).toContain('办理条件')
    expect(wrapper.find('[data-test="errand-about"]').text()).toContain('夫妻至少一方户籍在本县')
    const materials = wrapper.findAll('[data-test="material"]')
    expect(wrapper.find('.errand-materials').element.tagName).toBe('OL')
    expect(materials[0].text()).toContain('夫妻双方身份证')
    expect(materials[0].find('[data-test="original-required"]').text()).toBe('须验原件')
    expect(materials[0].text()).toContain('原件拍照')
    expect(materials[1].find('[data-test="original-required"]').exists()).toBe(false)
    expect(materials.map((m) => m.find('.errand-n').text())).toEqual(['1.', '2.'])
    const fields = wrapper.findAll('[data-test="field"]').map((f) => f.findAll('span').map((s) => s.text()).join(' '))
    expect(fields).toEqual(['1. 孩子出生日期 必填 选择日期', '2. 分娩方式 从以下选一项：顺产、剖宫产', '3. 母亲身份证号 必填 填写身份证号',
      '4. 出生医学证明 必填 拍照上传', '5. 备注 填写文字'])
    expect(wrapper.find('[data-test="fee"]').text()).toBe('不收费')
    expect(wrapper.find('[data-test="time-limit"]').text()).toBe('20个工作日')
    expect(wrapper.find('[data-test="promised-days"]').text()).toBe('即办')
    expect(wrapper.find('[data-test="delivery"]').text()).toBe('网点自取、快递到家')
    const apply = wrapper.find('[data-test="apply"]')
    expect(apply.text()).toBe('在线申请')
    expect(apply.attributes('disabled')).toBeUndefined()
    await apply.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/errands/a00000000001/apply')
  })

  it('shows 在线申请 disabled, 即将开放, while the app has no application form', async () => {
    fakeFetch(() => ({ body: ITEM }))
    const { wrapper } = await open(ITEM.id, [])
    const apply = wrapper.find('[data-test="apply"]')
    expect(apply.text()).toBe('在线申请')
    expect(apply.attributes('disabled')).toBeDefined()
    expect(wrapper.find('#errand-apply-hint').text()).toContain('即将开放')
  })

  it('says 未规定 for what the county left out, and shows no empty sections', async () => {
    fakeFetch(() => ({ body: { ...ITEM, summary: '', conditions: '', materials: [], fields: [], fee: '', time_limit_days: null,
      promised_days: null, delivery: ['courier'] } }))
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="errand-about"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="errand-fields"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="errand-materials"]').text()).toContain('无需提交材料')
    expect(wrapper.find('[data-test="fee"]').text()).toBe('未规定')
    expect(wrapper.find('[data-test="time-limit"]').text()).toBe('未规定')
    expect(wrapper.find('[data-test="delivery"]').text()).toBe('快递到家')
  })

  it('opens an item read before without a signal; an unknown one says the server’s words', async () => {
    fakeFetch(() => ({ body: ITEM }))
    ;(await open()).wrapper.unmount()
    fakeFetch(offline)
    let { wrapper } = await open()
    expect(wrapper.find('[data-test="errand-name"]').text()).toBe('生育登记')
    expect(wrapper.text()).toContain('没有网络')
    expect(wrapper.find('[data-test="apply"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('#errand-apply-hint').text()).toBe('有信号时才能在线申请')
    wrapper.unmount()
    fakeFetch(() => apiError(404, 'not_found', '事项不存在或已停用'))
    ;({ wrapper } = await open('a0000000000f'))
    expect(wrapper.find('[role="alert"]').text()).toContain('事项不存在或已停用')
    expect(wrapper.find('[data-test="apply"]').exists()).toBe(false)
  })
})
