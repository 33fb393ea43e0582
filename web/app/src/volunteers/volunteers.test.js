// 紧急招募令 on the phone: my volunteering (register with skills and SMS), the open calls of my village, one call:
// 报名 → 已确认 with my QR code, or 候补第N位; 取消报名; the organiser's manual check-in naming the person.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { showConfirmDialog } from 'vant'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import { GRID, VILLAGER_ME } from '../cases/test-data.js'
import CallPage from './CallPage.vue'
import VolunteersPage from './VolunteersPage.vue'
import { mineState, spanText } from './volunteers.js'

vi.mock('vant', async (orig) => ({ ...(await orig()), showConfirmDialog: vi.fn(async () => 'confirm'), showToast: vi.fn() }))

enableAutoUnmount(afterEach)
const VILLAGE = GRID.slice(0, 12)
const ME = { ...VILLAGER_ME, modules: ['volunteers'] }
const ADMIN_ME = { tenant: '330825', user_id: 'a1', name: '祝村管', grants: [{ role: 'village_admin', place: VILLAGE }],
  modules: ['volunteers'], permissions: { 'volunteers.organise': [VILLAGE] } }
const SUMMARY = { id: 'c1', title: '为村医招募驾驶员', place: VILLAGE, place_name: '溪前村', address: '村委会门口',
  starts_at: '2026-12-09T00:00:00Z', ends_at: '2026-12-09T04:00:00Z', slots: 2, confirmed: 1, waiting: 0,
  skills: ['驾驶'], status: 'open', status_name: '招募中' }
const CALL = { ...SUMMARY, description: '接送村医下乡巡诊', requirements: '有驾照', by_name: null, created_at: '2026-12-07T00:00:00Z',
  updated_at: '2026-12-07T00:00:00Z', version: 1, can_manage: false, mine: null }
const QR = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><path d="M0 0h1v1H0z"/></svg>'
const settle = async () => {
  for (let i = 0; i < 8; i++) await flushPromises()
}

function serve(me, state) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
  return fakeFetch((req) => {
    const url = new URL(req.path, 'http://x')
    if (req.path === '/me') return { body: me }
    if (url.pathname === '/volunteers/me') {
      if (me !== ME) return apiError(403, 'forbidden_scope', '只有本县村民可以参加志愿服务')
      if (req.method === 'PUT') state.vol = { ...state.vol, volunteer: true, ...req.body, updated_at: '2026-12-07T01:00:00Z' }
      return { body: state.vol }
    }
    if (url.pathname === '/volunteers/calls') return { body: { items: [SUMMARY], next_cursor: null } }
    if (url.pathname === '/volunteers/calls/c1') return { body: state.call }
    if (url.pathname === '/volunteers/calls/c1/signups' && req.method === 'POST') {
      state.call = { ...state.call, ...state.after }
      return { body: state.call }
    }
    if (url.pathname === '/volunteers/calls/c1/signups/mine' && req.method === 'DELETE') {
      state.call = { ...state.call, mine: null, confirmed: state.call.confirmed - 1 }
      return { status: 204 }
    }
    if (url.pathname === '/volunteers/calls/c1/checkouts') {
      return { body: { id: 's1', name: '王建国', status: 'confirmed', checked_in_at: '2026-12-09T00:05:00Z',
        checked_out_at: '2026-12-09T04:00:00Z', hours: 4 } }
    }
    if (url.pathname === '/volunteers/calls/c1/checkins') {
      if (req.body.code !== 'CQV1.good') return apiError(422, 'code_invalid', '签到码无效')
      return { body: { id: 's1', name: '王建国', status: 'confirmed', checked_in_at: '2026-12-09T00:05:00Z', hours: null } }
    }
    return apiError(404, 'not_found', 'x')
  })
}
const routes = [{ path: '/volunteers' }, { path: '/volunteers/calls/:id', name: 'volunteer-call' }]

describe('紧急招募令 (phone)', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('shows times in Asia/Shanghai and my sign-up’s state', () => {
    expect(spanText('2026-12-09T00:00:00Z', '2026-12-09T04:00:00Z')).toBe('12月9日 08:00–12:00')
    expect(spanText('2026-12-09T15:00:00Z', '2026-12-09T17:00:00Z')).toBe('12月9日 23:00 – 12月10日 01:00')
    expect(mineState({ mine: null })).toEqual({ kind: 'none', position: null })
    expect(mineState({ mine: { status: 'waiting', position: 3 } })).toEqual({ kind: 'waiting', position: 3 })
  })

  it('registers me with my skills and SMS, and lists my village’s open calls', async () => {
    const state = { vol: { volunteer: false, village: VILLAGE, village_name: '溪前村', skills: [], sms: false, updated_at: null } }
    const fetch = serve(ME, state)
    const { wrapper } = await mountScreen(VolunteersPage, { path: '/volunteers', routes })
    await settle()
    expect(fetch.requests().some((r) => r.path === `/volunteers/calls?place=${VILLAGE}&limit=50`)).toBe(true)
    expect(wrapper.find('[data-test="call-c1"]').text()).toContain('已确认 1/2 人')
    expect(wrapper.find('[data-test="call-c1"] [data-test="call-time"]').text()).toBe('12月9日 08:00–12:00')
    await wrapper.find('[data-test="skill-驾驶"] input').setValue(true)
    await wrapper.find('[data-test="skill-搬运"] input').setValue(true)
    await wrapper.find('[data-test="vol-sms"]').trigger('click')
    await wrapper.find('[data-test="vol-save"]').trigger('click')
    await settle()
    const put = fetch.requests().find((r) => r.method === 'PUT')
    expect(put.body).toEqual({ skills: ['驾驶', '搬运'], sms: true })
    expect(wrapper.find('[data-test="vol-state"]').text()).toContain('您已是溪前村的志愿者')
    expect(wrapper.find('[data-test="vol-leave"]').exists()).toBe(true)
  })

  it('报名 → 已确认 with my QR code; 取消报名 after a confirmation', async () => {
    const mine = { id: 's1', status: 'confirmed', status_name: '已确认', position: null, code: 'CQV1.x', qr_svg: QR,
      checked_in_at: null, checked_out_at: null, hours: null }
    const state = { vol: { volunteer: true }, call: CALL, after: { confirmed: 2, mine } }
    const fetch = serve(ME, state)
    const { wrapper } = await mountScreen(CallPage, { path: '/volunteers/calls/c1', routes })
    await settle()
    expect(wrapper.find('[data-test="call-title"]').text()).toBe('为村医招募驾驶员')
    await wrapper.find('[data-test="signup"]').trigger('click')
    await settle()
    expect(fetch.requests().some((r) => r.method === 'POST' && r.path === '/volunteers/calls/c1/signups')).toBe(true)
    expect(wrapper.find('[data-test="mine-state"]').text()).toBe('已确认')
    const img = wrapper.find('[data-test="mine-qr"]')
    expect(img.attributes('data-code')).toBe('CQV1.x')
    expect(img.attributes('src')).toMatch(/^data:image\/svg\+xml/)
    expect(wrapper.find('[data-test="organiser"]').exists()).toBe(false)
    await wrapper.find('[data-test="cancel-signup"]').trigger('click')
    await settle()
    expect(showConfirmDialog).toHaveBeenCalled()
    expect(fetch.requests().some((r) => r.method === 'DELETE')).toBe(true)
    expect(wrapper.find('[data-test="signup"]').exists()).toBe(true)
  })

  it('a full call puts me on the waiting list: 候补第N位', async () => {
    const state = { vol: { volunteer: true }, call: CALL,
      after: { waiting: 4, mine: { id: 's9', status: 'waiting', status_name: '候补', position: 4, code: null } } }
    serve(ME, state)
    const { wrapper } = await mountScreen(CallPage, { path: '/volunteers/calls/c1', routes })
    await settle()
    await wrapper.find('[data-test="signup"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="mine-state"]').text()).toBe('候补第4位')
    expect(wrapper.find('[data-test="mine-qr"]').exists()).toBe(false)
  })

  it('the organiser checks a typed code in and sees the person’s name; a bad code shows the server’s message', async () => {
    const state = { call: { ...CALL, can_manage: true, by_name: '祝村管' } }
    const fetch = serve(ADMIN_ME, state)
    const { wrapper } = await mountScreen(CallPage, { path: '/volunteers/calls/c1', routes })
    await settle()
    expect(wrapper.find('[data-test="signup"]').exists()).toBe(false) // no resident: no 报名
    await wrapper.find('[data-test="manual-code"]').setValue('CQV1.bad')
    await wrapper.find('form.vol-manual').trigger('submit')
    await settle()
    expect(wrapper.text()).toContain('签到码无效')
    await wrapper.find('[data-test="scan-next"]').trigger('click')
    await wrapper.find('[data-test="manual-code"]').setValue(' CQV1.good ')
    await wrapper.find('form.vol-manual').trigger('submit')
    await settle()
    expect(fetch.requests().filter((r) => r.path.endsWith('/checkins')).at(-1).body).toEqual({ code: 'CQV1.good' })
    expect(wrapper.find('[data-test="scan-name"]').text()).toBe('王建国')
    expect(wrapper.find('[data-test="scan-state"]').text()).toContain('已签到')
    // 签退: the same code, the hours since check-in
    await wrapper.find('[data-test="mode-out"]').trigger('click')
    await wrapper.find('[data-test="manual-code"]').setValue('CQV1.good')
    await wrapper.find('form.vol-manual').trigger('submit')
    await settle()
    expect(fetch.requests().filter((r) => r.path.endsWith('/checkouts'))).toHaveLength(1)
    expect(wrapper.find('[data-test="scan-state"]').text()).toBe('已签退 · 服务 4 小时')
  })

  it('an ended call offers no 报名', async () => {
    serve(ME, { vol: { volunteer: true }, call: { ...CALL, status: 'ended', status_name: '已结束' } })
    const { wrapper } = await mountScreen(CallPage, { path: '/volunteers/calls/c1', routes })
    await settle()
    expect(wrapper.find('[data-test="call-status"]').text()).toBe('已结束')
    expect(wrapper.find('[data-test="signup"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="mine"]').text()).toContain('该招募已结束或已取消')
  })
})
