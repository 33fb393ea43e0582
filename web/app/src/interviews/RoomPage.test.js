// A room on the phone: the guest's admitting QR (the code's text on the image), 已核验 appearing once the room is read
// again; the host's manual code → POST …/admit → 已核验, and the server's Chinese message for a wrong code; an online
// room's 进入视频面试 while open, else the window and the countdown; 我的面试's rows.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import MyInterviewsPage from './MyInterviewsPage.vue'
import RoomPage from './RoomPage.vue'

enableAutoUnmount(afterEach)
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  localStorage.clear()
})

const ID = 'a1b2c3d4e5f60718293a'
const CODE = 'CQI1.330825.a1b2c3d4e5f60718293a.t5x2ab.abcdefghijklmnopqrstuv'
const at = (minutes) => new Date(Date.now() + minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z')
const room = (over = {}) => ({
  id: ID, at: at(5), mode: 'onsite', title: '面试：叉车司机', role: 'guest', admit: { code: CODE, qr_text: CODE, qr_svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>' },
  admitted_at: null, opens_at: at(-10), closes_at: at(125), open: false, ice_servers: [], ...over,
})
const settle = async () => {
  for (let i = 0; i < 6; i++) await flushPromises()
}
async function open(component, path, answer) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'u1' }))
  const fetch = fakeFetch(answer)
  const screen = await mountScreen(component, { path, routes: [{ path: '/interviews/:id' }, { path: '/interviews/:id/call' }] })
  await settle()
  return { ...screen, fetch }
}

describe('the guest on site', () => {
  it('shows the QR of the code and the address, then 已核验 once the host has scanned it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    let current = room()
    const { wrapper, fetch } = await open(RoomPage, `/interviews/${ID}`, (req) => {
      if (req.path === `/interviews/${ID}`) return { body: current }
      if (req.path.startsWith('/recruitment/applications/mine')) {
        return { body: { items: [{ id: 'ap1', interview: { id: ID, at: current.at, mode: 'onsite', address: '龙游工业园区兴业路8号' } }], next_cursor: null } }
      }
      return apiError(404, 'not_found', '找不到')
    })
    const img = wrapper.find('[data-test="admit-qr"]')
    expect(img.attributes('data-qr-text')).toBe(CODE)
    expect(img.attributes('src')).toMatch(/^data:image\/svg\+xml/)
    expect(wrapper.find('[data-test="room-address"]').text()).toBe('龙游工业园区兴业路8号')
    expect(wrapper.find('[data-test="not-admitted"]').text()).toBe('待核验')
    expect(wrapper.find('[data-test="room-mode"]').text()).toBe('现场面试')
    current = room({ admitted_at: new Date().toISOString() })
    const reads = () => fetch.requests().filter((r) => r.path === `/interviews/${ID}`).length
    const before = reads()
    await vi.advanceTimersByTimeAsync(4500)
    await settle()
    expect(reads()).toBeGreaterThan(before)
    expect(wrapper.find('[data-test="admitted"]').text()).toContain('已核验')
    expect(wrapper.find('[data-test="not-admitted"]').exists()).toBe(false)
  })
})

describe('the host on site', () => {
  it('admits with the code pasted, and shows the server message for a wrong one', async () => {
    const { wrapper, fetch } = await open(RoomPage, `/interviews/${ID}`, (req) => {
      if (req.method === 'GET' && req.path === `/interviews/${ID}`) return { body: room({ role: 'host', admit: null }) }
      if (req.method === 'POST' && req.path === `/interviews/${ID}/admit`) {
        if (req.body.code !== CODE) return apiError(422, 'code_other_room', '这不是本场面试的凭证')
        return { body: room({ role: 'host', admit: null, admitted_at: '2026-12-07T06:01:00Z' }) }
      }
      return apiError(404, 'not_found', '找不到')
    })
    expect(wrapper.find('[data-test="admit-qr"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="scan-admit"]').text()).toBe('扫码核验')
    await wrapper.find('[data-test="admit-code"]').setValue('CQI1.wrong')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[role="alert"]').text()).toContain('这不是本场面试的凭证')
    await wrapper.find('[data-test="admit-code"]').setValue(`  ${CODE}\n`)
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(fetch.requests().filter((r) => r.method === 'POST').map((r) => r.body.code)).toEqual(['CQI1.wrong', CODE])
    expect(wrapper.find('[data-test="admitted"]').text()).toMatch(/^已核验\s*2026\/12\/07 14:01$/)
    expect(wrapper.find('[data-test="admit-code"]').exists()).toBe(false)
  })
})

describe('online', () => {
  it('offers 进入视频面试 while open', async () => {
    const { wrapper, router } = await open(RoomPage, `/interviews/${ID}`, () => ({
      body: room({ mode: 'online', admit: null, open: true }),
    }))
    await wrapper.find('[data-test="enter-call"]').trigger('click')
    await settle()
    expect(router.currentRoute.value.path).toBe(`/interviews/${ID}/call`)
    expect(wrapper.find('[data-test="countdown"]').exists()).toBe(false)
  })

  it('before it opens: the window and a countdown, no button', async () => {
    const { wrapper } = await open(RoomPage, `/interviews/${ID}`, () => ({
      body: room({ mode: 'online', admit: null, at: at(75), opens_at: at(60), closes_at: at(195) }),
    }))
    expect(wrapper.find('[data-test="enter-call"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="countdown"]').text()).toMatch(/^距开放还有 (00:59:5\d|01:00:00)$/)
    expect(wrapper.find('[data-test="room-window"]').text()).toMatch(/^面试间开放时间：.+ 至 .+/)
  })

  it("someone else's room: the server's message", async () => {
    const { wrapper } = await open(RoomPage, `/interviews/${ID}`, () => apiError(404, 'not_found', '找不到该面试'))
    expect(wrapper.find('[role="alert"]').text()).toContain('找不到该面试')
  })
})

describe('我的面试', () => {
  it('lists time, 现场/视频, title, my role and 进行中', async () => {
    const { wrapper } = await open(MyInterviewsPage, '/interviews', () => ({
      body: { items: [
        { id: 'r1', at: '2026-12-10T02:00:00Z', mode: 'online', title: '面试：叉车司机', role: 'guest', open: true },
        { id: 'r2', at: '2026-12-11T06:30:00Z', mode: 'onsite', title: '面试：包装工', role: 'host', open: false },
      ] },
    }))
    const rows = wrapper.findAll('[data-test="interview-row"]')
    expect(rows.map((r) => r.attributes('href'))).toEqual(['/interviews/r1', '/interviews/r2'])
    expect(rows[0].text()).toContain('2026/12/10 10:00')
    expect(rows[0].text()).toContain('视频面试')
    expect(rows[0].text()).toContain('求职者')
    expect(rows[0].find('[data-test="open-now"]').text()).toBe('进行中')
    expect(rows[1].text()).toContain('现场面试')
    expect(rows[1].text()).toContain('面试官')
    expect(rows[1].find('[data-test="open-now"]').exists()).toBe(false)
  })
})
