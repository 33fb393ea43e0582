import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import AddHouseholdPage from './AddHouseholdPage.vue'
import { outbox } from '../offline/outbox.js'
import { takeWarnings } from './refLabel.js'
import { showToast } from '../common/feedback.js'

vi.mock('../common/feedback.js', async (original) => ({ ...(await original()), showToast: vi.fn() }))

const GRID = '330825001201G01'
const SESSION = { access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'w9' }
const ME = { tenant: '330825', user_id: 'w9', grants: [{ role: 'grid_worker', role_name: '专职网格员', place: GRID }],
  permissions: { 'households.read': [GRID], 'households.write': [GRID] } }

async function fill(wrapper, { address = '张王村99号', id = '330825199001019992' } = {}) {
  await wrapper.find('[data-test="address"] input').setValue(address)
  const m = wrapper.find('[data-test="member-0"]')
  await m.find('[data-test="member-name"] input').setValue('王大')
  await m.find('[data-test="member-id"] input').setValue(id)
}

describe('AddHouseholdPage', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify(SESSION))
    localStorage.setItem('cqt.me', JSON.stringify(ME))
    outbox.items.splice(0)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('catches a mistyped ID number on the phone, under its input', async () => {
    const fetch = fakeFetch(() => ({ status: 201, body: {} }))
    const { wrapper } = await mountScreen(AddHouseholdPage, { path: `/field/new?grid=${GRID}` })
    await fill(wrapper, { id: '330825199001019993' })
    await wrapper.find('form').trigger('submit')
    expect(wrapper.find('[data-test="member-id"]').text()).toContain('身份证号校验位不正确')
    expect(fetch).not.toHaveBeenCalled()
  })

  it("shows the server's field errors under the inputs they concern, and the rest above the button", async () => {
    fakeFetch(() =>
      apiError(422, 'validation_failed', '提交的内容不符合要求', [
        { field: 'members.0.id_number', code: 'duplicate_id_number', message: '同一户内身份证号重复' },
        { field: 'members', code: 'too_long', message: '条目过多' },
      ]),
    )
    const { wrapper } = await mountScreen(AddHouseholdPage, { path: `/field/new?grid=${GRID}` })
    await fill(wrapper)
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-test="member-id"]').text()).toContain('同一户内身份证号重复')
    const alert = wrapper.find('[role="alert"]')
    expect(alert.text()).toContain('提交的内容不符合要求')
    expect(alert.text()).toContain('条目过多')
    expect(alert.find('[data-test="retry"]').exists()).toBe(false)
  })

  it('queues the household without a signal and goes back to the list', async () => {
    fakeFetch(offline)
    const { wrapper, router } = await mountScreen(AddHouseholdPage, { path: `/field/new?grid=${GRID}` })
    await fill(wrapper)
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(outbox.items).toHaveLength(1)
    expect(outbox.items[0]).toMatchObject({
      method: 'POST',
      path: '/households',
      body: { grid: GRID, address: '张王村99号', members: [{ name: '王大', relation: '户主', id_number: '330825199001019992' }] },
      meta: { kind: 'household' },
    })
    expect(router.currentRoute.value.name).toBe('field')
  })

  it('goes to the new household when it is sent', async () => {
    const fetch = fakeFetch(() => ({ status: 201, body: { id: 'h42' } }))
    const { wrapper, router } = await mountScreen(AddHouseholdPage, { path: `/field/new?grid=${GRID}` })
    await fill(wrapper)
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(fetch.requests()[0].headers['Idempotency-Key']).toBeTruthy()
    expect(router.currentRoute.value.fullPath).toBe('/field/h/h42')
  })

  it('says which number the household got, and keeps what to check for its page', async () => {
    const warnings = [{ code: 'duplicate_address', field: 'address', message: '本村已有地址相同的住户' }]
    fakeFetch(() => ({ status: 201, body: { id: 'h43', ref: '330825001201-0173', village: '330825001201', warnings } }))
    const { wrapper, router } = await mountScreen(AddHouseholdPage, { path: `/field/new?grid=${GRID}` })
    await fill(wrapper)
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/field/h/h43')
    expect(showToast).toHaveBeenCalledWith('已保存，户编号 0173')
    expect(takeWarnings('h43')).toEqual(warnings)
  })
})
