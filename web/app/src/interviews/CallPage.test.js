// The call's page: my camera on the small video (muted), the state in words, 挂断 → bye posted, 已挂断 and the way back.
import { afterEach, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import CallPage from './CallPage.vue'

enableAutoUnmount(afterEach)
afterEach(() => {
  vi.unstubAllGlobals()
  localStorage.clear()
})

const ID = 'a1b2c3d4e5f60718293a'
class Peer {
  addTrack() {}
  async createOffer() {
    return { type: 'offer', sdp: 'o' }
  }
  async setLocalDescription() {}
  close() {
    this.closed = true
  }
}

it('shows the state in Chinese and hangs up with bye', async () => {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'u1' }))
  const tracks = [{ kind: 'video', stop: vi.fn() }]
  const stream = { getTracks: () => tracks }
  vi.stubGlobal('RTCPeerConnection', Peer)
  Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia: vi.fn(async () => stream) }, configurable: true })
  const posted = []
  const fetch = fakeFetch((req) => {
    if (req.method === 'GET' && req.path === `/interviews/${ID}`) {
      return { body: { id: ID, mode: 'online', role: 'host', open: true, ice_servers: [], opens_at: 'x', closes_at: 'y' } }
    }
    if (req.method === 'POST') {
      posted.push(req.body.type)
      return { status: 201, body: { id: `1765332000000abcde${posted.length}`, type: req.body.type, at: 'x' } }
    }
    return { body: { items: [], cursor: null, sender: 'guest' } }
  })
  const { wrapper } = await mountScreen(CallPage, { path: `/interviews/${ID}/call`, routes: [{ path: '/interviews/:id/call' }] })
  await vi.waitFor(() => expect(wrapper.find('[data-test="call-state"]').text()).toBe('等待对方进入…'))
  expect(wrapper.find('[data-test="local-video"]').element.srcObject).toBe(stream)
  expect(wrapper.find('[data-test="local-video"]').element.muted).toBe(true)
  await wrapper.find('[data-test="hang-up"]').trigger('click')
  for (let i = 0; i < 6; i++) await flushPromises()
  expect(posted).toEqual(['offer', 'bye'])
  expect(tracks[0].stop).toHaveBeenCalled()
  expect(wrapper.find('[data-test="call-state"]').text()).toBe('已挂断')
  expect(wrapper.find('[data-test="hang-up"]').exists()).toBe(false)
  expect(wrapper.find('[data-test="back-room"]').exists()).toBe(true)
  expect(fetch.requests().some((r) => r.path.startsWith(`/interviews/${ID}/signals`) && r.method === 'GET')).toBe(true)
})
