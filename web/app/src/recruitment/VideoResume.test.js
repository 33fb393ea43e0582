import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch } from '../test-support.js'
import ProfilePage from './ProfilePage.vue'
import { PROFILE, open, settle, signedIn } from './test-data.js'

enableAutoUnmount(afterEach)

class FakeRecorder {
  static isTypeSupported = (t) => t.startsWith('video/webm')
  constructor(stream, opts) {
    this.state = 'inactive'
    this.mimeType = opts?.mimeType || ''
  }
  start() { this.state = 'recording' }
  stop() {
    this.state = 'inactive'
    this.ondataavailable({ data: new Blob(['x'.repeat(2000)]) })
    this.onstop()
  }
}

describe('视频简历 on the profile page', () => {
  let track
  beforeEach(() => {
    signedIn()
    track = { stop: vi.fn() }
    vi.stubGlobal('MediaRecorder', FakeRecorder)
    Object.defineProperty(navigator, 'mediaDevices', { configurable: true,
      value: { getUserMedia: vi.fn(async () => ({ getTracks: () => [track] })) } })
    URL.createObjectURL = vi.fn(() => 'blob:preview')
    URL.revokeObjectURL = vi.fn()
    HTMLMediaElement.prototype.play = vi.fn(() => Promise.resolve())
  })
  afterEach(() => vi.unstubAllGlobals())

  it('records with a countdown, previews, uploads in parts and shows the new video', async () => {
    const fetch = fakeFetch((req) => {
      if (req.path === '/recruitment/profile') return { body: { ...PROFILE, video: null } }
      if (req.path.startsWith('/recruitment/jobs') || req.path.startsWith('/places')) return { body: { items: [], next_cursor: null } }
      if (req.method === 'POST' && req.path === '/recruitment/profile/video/uploads') {
        return { status: 201, body: { upload_id: 'u1', size: 2000, part_size: 5242880, parts_count: 1, done: [],
          parts: [{ number: 1, url: 'https://s3.test/p1' }], missing: 1 } }
      }
      if (req.method === 'PUT' && req.path === 'https://s3.test/p1') return { headers: { ETag: '"e1"' } }
      if (req.path === '/recruitment/profile/video/uploads/u1/complete') {
        return { body: { url: 'https://s3.test/new.webm', seconds: 1, content_type: 'video/webm', size: 2000,
          uploaded_at: '2026-12-07T06:00:00Z' } }
      }
      return apiError(404, 'not_found', '没有')
    })
    const { wrapper } = await open(ProfilePage, '/jobs/profile')
    await wrapper.find('[data-test="record"]').trigger('click')
    await settle()
    expect(navigator.mediaDevices.getUserMedia.mock.calls[0][0].video.facingMode).toBe('user')
    expect(wrapper.find('[data-test="countdown"]').text()).toMatch(/还剩 (120|119) 秒/)
    await wrapper.find('[data-test="stop"]').trigger('click')
    await settle()
    expect(track.stop).toHaveBeenCalled() // the camera is off once stopped
    expect(wrapper.find('[data-test="preview"]').attributes('src')).toBe('blob:preview')
    expect(wrapper.find('[data-test="recorded"]').text()).toContain('已录制 1 秒')
    await wrapper.find('[data-test="upload"]').trigger('click')
    await settle()
    const reqs = fetch.requests().map((r) => `${r.method} ${r.path}`)
    expect(reqs.slice(-3)).toEqual(['POST /recruitment/profile/video/uploads', 'PUT https://s3.test/p1',
      'POST /recruitment/profile/video/uploads/u1/complete'])
    expect(fetch.requests().find((r) => r.method === 'POST' && r.path.endsWith('/uploads')).body)
      .toEqual({ content_type: 'video/webm', size: 2000, seconds: 1 })
    expect(wrapper.find('[data-test="current-video"]').attributes('src')).toBe('https://s3.test/new.webm')
  })

  it('says so when the camera cannot be opened', async () => {
    navigator.mediaDevices.getUserMedia = vi.fn(async () => { throw new DOMException('denied', 'NotAllowedError') })
    fakeFetch((req) => (req.path === '/recruitment/profile' ? { body: { ...PROFILE, video: null } } : { body: { items: [], next_cursor: null } }))
    const { wrapper } = await open(ProfilePage, '/jobs/profile')
    await wrapper.find('[data-test="record"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="camera-problem"]').text()).toContain('无法打开摄像头')
    expect(wrapper.find('[data-test="record"]').exists()).toBe(true)
  })
})
