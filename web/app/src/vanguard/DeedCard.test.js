// The 点赞 toggle: optimistic (the count moves at once), the server's answer wins, idempotent routes (PUT to like,
// DELETE to unlike: a repeat changes nothing twice), a tap while one is on its way is ignored, and an error puts the
// deed back as it was.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { reactive } from 'vue'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../test-support.js'
import DeedCard from './DeedCard.vue'
import { likeToggle } from './vanguard.js'

const DEED = {
  id: 'd1', text: '帮五保户修缮屋顶', photos: ['http://s3.local/p1.jpg'], author: { id: 'u1', name: '余党员' },
  village: '330825001201', village_name: '张王村', status: 'approved', reason: null, created_at: '2026-12-07T02:00:00Z',
  decided_at: '2026-12-07T03:00:00Z', points: null, likes: 20, liked_by_me: false,
}

const settle = async () => {
  for (let i = 0; i < 6; i++) await flushPromises()
}
enableAutoUnmount(afterEach)

describe('likeToggle', () => {
  it('moves the count at once, then takes the server’s count and liked_by_me', async () => {
    let answer
    const request = { put: vi.fn(() => new Promise((r) => { answer = r })), del: vi.fn() }
    const deed = reactive({ id: 'd1', likes: 20, liked_by_me: false })
    const toggle = likeToggle(deed, request)
    const done = toggle()
    expect(deed).toMatchObject({ likes: 21, liked_by_me: true }) // optimistic
    expect(await toggle()).toBe(false) // a second tap while the first is on its way: ignored
    answer({ deed: 'd1', likes: 25, liked_by_me: true }) // others liked meanwhile: the server's count wins
    await done
    expect(deed).toMatchObject({ likes: 25, liked_by_me: true })
    expect(request.put).toHaveBeenCalledTimes(1)
    expect(request.put).toHaveBeenCalledWith('/vanguard/deeds/d1/like')
  })

  it('unlikes with DELETE and rolls back on an error', async () => {
    const request = {
      put: vi.fn(async () => { throw new Error('网络不通') }),
      del: vi.fn(async () => ({ deed: 'd1', likes: 4, liked_by_me: false })),
    }
    const deed = reactive({ id: 'd1', likes: 5, liked_by_me: true })
    const toggle = likeToggle(deed, request)
    await toggle()
    expect(request.del).toHaveBeenCalledWith('/vanguard/deeds/d1/like')
    expect(deed).toMatchObject({ likes: 4, liked_by_me: false })
    await expect(toggle()).rejects.toThrow('网络不通')
    expect(deed).toMatchObject({ likes: 4, liked_by_me: false }) // back as it was
    expect(request.put).toHaveBeenCalledTimes(1)
  })
})

describe('DeedCard', () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'v1' }))
  })
  afterEach(() => vi.unstubAllGlobals())

  async function open(like) {
    const fetch = fakeFetch((req) => (req.path === '/vanguard/deeds/d1/like' ? like(req) : { status: 404, body: { error: { code: 'not_found', message: 'x' } } }))
    const screen = await mountScreen(DeedCard, { props: { deed: { ...DEED } },
      routes: [{ path: '/vanguard/deeds/:id', name: 'vanguard-deed' }] })
    await settle()
    return { ...screen, fetch }
  }
  const count = (w) => w.find('[data-test="like-count"]').text()

  it('likes through PUT and shows the server’s count; unlikes through DELETE', async () => {
    const { wrapper, fetch } = await open((req) => (req.method === 'PUT'
      ? { body: { deed: 'd1', likes: 21, liked_by_me: true } } : { body: { deed: 'd1', likes: 20, liked_by_me: false } }))
    expect(wrapper.find('[data-test="deed-author"]').text()).toBe('余党员')
    expect(count(wrapper)).toBe('20')
    await wrapper.find('[data-test="like"]').trigger('click')
    await settle()
    expect(count(wrapper)).toBe('21')
    expect(wrapper.find('[data-test="like"]').attributes('aria-pressed')).toBe('true')
    await wrapper.find('[data-test="like"]').trigger('click')
    await settle()
    expect(count(wrapper)).toBe('20')
    expect(fetch.requests().map((r) => r.method)).toEqual(['PUT', 'DELETE'])
  })

  it('puts the count back when the server refuses', async () => {
    const { wrapper } = await open(() => apiError(409, 'not_approved', '该实事尚未通过审核'))
    await wrapper.find('[data-test="like"]').trigger('click')
    await settle()
    expect(count(wrapper)).toBe('20')
    expect(wrapper.find('[data-test="like"]').attributes('aria-pressed')).toBe('false')
  })
})
