// 晒实事: checks before sending (5+ characters, 1–9 photos), photos uploaded once each, one Idempotency-Key for the
// same submission (reused on a retry after a lost answer), and the server's 422 under the field it names.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import PostPage from './PostPage.vue'

vi.mock('@shared/image.js', () => ({
  shrinkPhoto: vi.fn(async () => new Blob([new Uint8Array(2048)], { type: 'image/jpeg' })),
}))

const GRID = '330825001201G01'
const ME = {
  tenant: '330825', user_id: 'p1', name: '余党员', grants: [{ role: 'party_member', place: GRID }], modules: ['vanguard'],
  permissions: { 'vanguard.post': [GRID] },
}
const deed = (body) => ({
  id: 'd1', text: body.text, photos: [], author: { id: 'p1', name: '余党员' }, village: GRID.slice(0, 12),
  village_name: '张王村', status: 'pending', reason: null, created_at: '2026-12-07T02:00:00Z', decided_at: null,
  points: null, likes: 0, liked_by_me: false,
})

function server(post) {
  let forms = 0
  return fakeFetch((req) => {
    if (req.path === '/me') return { body: ME }
    if (req.method === 'POST' && req.path === '/vanguard/uploads') {
      const key = `330825/vanguard/p1/k${++forms}.jpg`
      return { status: 201, body: { key, url: 'http://s3.local/media', fields: { key }, max_bytes: 307200 } }
    }
    if (req.method === 'POST' && req.path === 'http://s3.local/media') return { status: 204 }
    if (req.method === 'POST' && req.path === '/vanguard/deeds') return post(req)
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}
const settle = async () => {
  for (let i = 0; i < 6; i++) await flushPromises()
}
async function open(post = (req) => ({ status: 201, body: deed(req.body) })) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'p1' }))
  localStorage.setItem('cqt.me', JSON.stringify(ME))
  const fetch = server(post)
  const screen = await mountScreen(PostPage, { path: '/vanguard/new', routes: [{ path: '/vanguard/new' }, { path: '/vanguard/mine' }, { path: '/vanguard' }] })
  await settle()
  return { ...screen, fetch }
}
async function pick(wrapper, n = 1) {
  const input = wrapper.find('[data-test="deed-photos-album"]')
  const files = Array.from({ length: n }, (_, i) => new File([`raw${i}`], `IMG_${i}.jpg`, { type: 'image/jpeg' }))
  Object.defineProperty(input.element, 'files', { value: files, configurable: true })
  await input.trigger('change')
  await settle()
}
const write = (wrapper, text) => wrapper.find('[data-test="deed-text-input"] textarea').setValue(text)
const submit = async (wrapper) => {
  await wrapper.find('[data-test="submit-deed"]').trigger('click')
  await settle()
}
const posts = (fetch) => fetch.requests().filter((r) => r.path === '/vanguard/deeds')

enableAutoUnmount(afterEach)

describe('晒实事', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('stops a deed without enough text or a photo on the phone', async () => {
    const { wrapper, fetch } = await open()
    await write(wrapper, '修路')
    await submit(wrapper)
    expect(wrapper.find('[data-test="deed-text-input"]').text()).toContain('请至少写5个字')
    expect(wrapper.find('.photos__error').text()).toBe('请至少添加1张照片')
    expect(posts(fetch)).toHaveLength(0)
  })

  it('uploads the photos, posts with an Idempotency-Key, and keeps key and uploads on a retry', async () => {
    let n = 0
    const { wrapper, fetch } = await open((req) => (++n === 1 ? offline() : { status: 201, body: deed(req.body) }))
    await write(wrapper, ' 帮五保户修缮屋顶，清理了院落 ')
    await pick(wrapper, 2)
    await submit(wrapper)
    expect(wrapper.find('.error-block').text()).toContain('网络')
    expect(wrapper.find('[data-test="deed-saved"]').exists()).toBe(false)
    await submit(wrapper)
    const [first, second] = posts(fetch)
    expect(first.body).toEqual({ text: '帮五保户修缮屋顶，清理了院落',
      photos: ['330825/vanguard/p1/k1.jpg', '330825/vanguard/p1/k2.jpg'] })
    expect(first.headers['Idempotency-Key']).toBeTruthy()
    expect(second.headers['Idempotency-Key']).toBe(first.headers['Idempotency-Key'])
    expect(fetch.requests().filter((r) => r.path === '/vanguard/uploads')).toHaveLength(2) // not uploaded again
    expect(wrapper.find('[data-test="deed-saved"]').text()).toContain('等待村党组织审核')
    // The next deed is a new action: a new key.
    await wrapper.find('[data-test="post-again"]').trigger('click')
    await settle()
    await write(wrapper, '组织党员志愿者清扫村道')
    await pick(wrapper, 1)
    await submit(wrapper)
    expect(posts(fetch)[2].headers['Idempotency-Key']).not.toBe(first.headers['Idempotency-Key'])
  })

  it('puts the server’s 422 under the photos and uploads a missing photo again', async () => {
    let n = 0
    const { wrapper, fetch } = await open((req) => (++n === 1
      ? apiError(422, 'validation_failed', '请检查填写的内容', [
        { field: 'photos.0', code: 'photo_missing', message: '照片未上传成功，请重新上传' }])
      : { status: 201, body: deed(req.body) }))
    await write(wrapper, '帮五保户修缮屋顶')
    await pick(wrapper, 1)
    await submit(wrapper)
    expect(wrapper.find('.photos__error').text()).toBe('照片未上传成功，请重新上传')
    await submit(wrapper)
    expect(fetch.requests().filter((r) => r.path === '/vanguard/uploads')).toHaveLength(2)
    expect(posts(fetch)[1].body.photos).toEqual(['330825/vanguard/p1/k2.jpg'])
    expect(wrapper.find('[data-test="deed-saved"]').exists()).toBe(true)
  })
})
