// 红黑榜评分 (/field/boards/:hid): the county's criteria with their weights, the weighted total computed live, checks
// before sending, photos uploaded once, one Idempotency-Key for the same submission (reused on a retry), and the
// server's 422 under the field it names.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import { GRID } from '../cases/test-data.js'
import ScorePage from './ScorePage.vue'

vi.mock('@shared/image.js', () => ({
  shrinkPhoto: vi.fn(async () => new Blob([new Uint8Array(2048)], { type: 'image/jpeg' })),
}))

const CRITERIA = [
  { key: 'courtyard', name: '庭院卫生', weight: 50, max_score: 10 },
  { key: 'sorting', name: '垃圾分类', weight: 30, max_score: 10 },
  { key: 'frontage', name: '门前三包', weight: 20, max_score: 5 },
]
const ME = {
  tenant: '330825', user_id: 'w1', name: '溪网格', grants: [{ role: 'grid_worker', place: GRID }], modules: ['boards'],
  permissions: { 'households.read': [GRID], 'boards.inspect': [GRID] },
}
const ROUTES = [
  { path: '/field/boards/:hid', name: 'field-board-score' },
  { path: '/boards/h/:hid', name: 'board-household' },
]
const record = (body) => ({
  id: 'i1', household: 'h1', village: GRID.slice(0, 12), grid: GRID, month: '2026-12', source: 'inspection', amends: null,
  total: 74.0, breakdown: [], criteria_version: 0, photos: [], note: body.note ?? null, by: '溪网格', by_role: 'grid_worker',
  by_role_name: '专职网格员', at: '2026-12-07T02:00:00Z', appeal: null, can_appeal: false,
})

function server(post) {
  let forms = 0
  return fakeFetch((req) => {
    if (req.path === '/me') return { body: ME }
    if (req.path === '/households/h1') return { body: { id: 'h1', grid: GRID, address: '溪前村8号', head_name: '溪大伯', members: [] } }
    if (req.path === '/boards/criteria') return { body: { criteria: CRITERIA, version: 0, default: false, updated_at: null } }
    if (req.method === 'POST' && req.path === '/boards/uploads') {
      const key = `330825/boards/w1/k${++forms}.jpg`
      return { status: 201, body: { key, url: 'http://s3.local/media', fields: { key }, max_bytes: 307200 } }
    }
    if (req.method === 'POST' && req.path === 'http://s3.local/media') return { status: 204 }
    if (req.method === 'POST' && req.path === '/boards/inspections') return post(req)
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}

const settle = async () => {
  for (let i = 0; i < 6; i++) await flushPromises()
}

async function open(post = (req) => ({ status: 201, body: record(req.body) })) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'w1' }))
  localStorage.setItem('cqt.me', JSON.stringify(ME))
  const fetch = server(post)
  const screen = await mountScreen(ScorePage, { path: '/field/boards/h1', routes: ROUTES })
  await settle()
  return { ...screen, fetch }
}

async function score(wrapper, key, value) {
  await wrapper.find(`[data-test="score-${key}"] input`).setValue(String(value))
  await settle()
}

async function pick(wrapper, n = 1) {
  const input = wrapper.find('[data-test="board-photos-album"]')
  const files = Array.from({ length: n }, (_, i) => new File([`raw${i}`], `IMG_${i}.jpg`, { type: 'image/jpeg' }))
  Object.defineProperty(input.element, 'files', { value: files, configurable: true })
  await input.trigger('change')
  await settle()
}

const posts = (fetch) => fetch.requests().filter((r) => r.path === '/boards/inspections')
const error = (wrapper, key) => wrapper.find(`[data-test="score-${key}"] [role=alert]`)

enableAutoUnmount(afterEach)

describe('红黑榜评分', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('shows each criterion with its weight and computes the weighted total live, as the server does', async () => {
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="score-household"]').text()).toContain('溪大伯家')
    expect(wrapper.find('[data-test="score-courtyard"]').text()).toContain('庭院卫生')
    expect(wrapper.find('[data-test="score-courtyard"]').text()).toContain('权重50% · 满分10')
    expect(wrapper.find('[data-test="score-frontage"]').text()).toContain('满分5')
    const total = () => wrapper.find('[data-test="live-total"] strong').text()
    expect(total()).toBe('—') // nothing scored yet
    await score(wrapper, 'courtyard', 9)
    await score(wrapper, 'sorting', 7)
    expect(total()).toBe('—')
    await score(wrapper, 'frontage', 3)
    expect(total()).toBe('78.0') // 50×9/10 + 30×7/10 + 20×3/5 = 45 + 21 + 12
    await wrapper.find('[data-test="score-sorting"] .van-stepper__plus').trigger('click')
    await settle()
    expect(total()).toBe('81.0')
  })

  it('stops an incomplete form on the phone: every criterion scored, at least one photo', async () => {
    const { wrapper, fetch } = await open()
    await score(wrapper, 'courtyard', 9)
    await wrapper.find('[data-test="submit-score"]').trigger('click')
    await settle()
    expect(error(wrapper, 'sorting').text()).toBe('请为此项打分')
    expect(error(wrapper, 'frontage').text()).toBe('请为此项打分')
    expect(error(wrapper, 'courtyard').exists()).toBe(false)
    expect(wrapper.find('.photos__error').text()).toBe('请至少拍一张现场照片')
    expect(posts(fetch)).toHaveLength(0)
    expect(fetch.requests().filter((r) => r.path === '/boards/uploads')).toHaveLength(0)
  })

  it('uploads the photos, sends the scores with an Idempotency-Key and shows the total the server computed', async () => {
    const { wrapper, fetch } = await open()
    await score(wrapper, 'courtyard', 9)
    await score(wrapper, 'sorting', 7)
    await score(wrapper, 'frontage', 3)
    await pick(wrapper, 2)
    await wrapper.find('[data-test="score-note"] textarea').setValue(' 院落整洁 ')
    await wrapper.find('[data-test="submit-score"]').trigger('click')
    await settle()
    const [post] = posts(fetch)
    expect(post.body).toEqual({ household: 'h1', scores: { courtyard: 9, sorting: 7, frontage: 3 },
      photos: ['330825/boards/w1/k1.jpg', '330825/boards/w1/k2.jpg'], note: '院落整洁' })
    expect(post.headers['Idempotency-Key']).toBeTruthy()
    expect(fetch.requests().filter((r) => r.path === 'http://s3.local/media')).toHaveLength(2)
    expect(wrapper.find('[data-test="score-saved"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="saved-total"]').text()).toBe('74.0') // the server's answer, as it says
  })

  it('retries a lost answer with the same key and without uploading the photos again', async () => {
    let n = 0
    const { wrapper, fetch } = await open((req) => (++n === 1 ? offline() : { status: 201, body: record(req.body) }))
    await score(wrapper, 'courtyard', 10)
    await score(wrapper, 'sorting', 10)
    await score(wrapper, 'frontage', 5)
    await pick(wrapper, 1)
    await wrapper.find('[data-test="submit-score"]').trigger('click')
    await settle()
    expect(wrapper.find('.error-block').text()).toContain('网络')
    expect(wrapper.find('[data-test="score-saved"]').exists()).toBe(false)
    await wrapper.find('[data-test="submit-score"]').trigger('click')
    await settle()
    const [first, second] = posts(fetch)
    expect(second.headers['Idempotency-Key']).toBe(first.headers['Idempotency-Key'])
    expect(fetch.requests().filter((r) => r.path === '/boards/uploads')).toHaveLength(1)
    expect(wrapper.find('[data-test="score-saved"]').exists()).toBe(true)
    // Another household's score (a new form) is a new action: a new key.
    await wrapper.find('[data-test="score-again"]').trigger('click')
    await settle()
    await score(wrapper, 'courtyard', 10)
    await score(wrapper, 'sorting', 10)
    await score(wrapper, 'frontage', 5)
    await pick(wrapper, 1)
    await wrapper.find('[data-test="submit-score"]').trigger('click')
    await settle()
    expect(posts(fetch)[2].headers['Idempotency-Key']).not.toBe(first.headers['Idempotency-Key'])
  })

  it('puts the server’s 422 under the fields it names, and uploads a refused photo again', async () => {
    let n = 0
    const { wrapper, fetch } = await open((req) => (++n === 1
      ? apiError(422, 'validation_failed', '请检查填写的内容', [
        { field: 'scores.sorting', code: 'out_of_range', message: '“垃圾分类”的分数应为0至10' },
        { field: 'photos.0', code: 'photo_missing', message: '照片未上传成功，请重新上传' }])
      : { status: 201, body: record(req.body) }))
    await score(wrapper, 'courtyard', 9)
    await score(wrapper, 'sorting', 7)
    await score(wrapper, 'frontage', 3)
    await pick(wrapper, 1)
    await wrapper.find('[data-test="submit-score"]').trigger('click')
    await settle()
    expect(error(wrapper, 'sorting').text()).toBe('“垃圾分类”的分数应为0至10')
    expect(wrapper.find('.photos__error').text()).toBe('照片未上传成功，请重新上传')
    expect(wrapper.find('[data-test="score-saved"]').exists()).toBe(false)
    await wrapper.find('[data-test="submit-score"]').trigger('click')
    await settle()
    expect(fetch.requests().filter((r) => r.path === '/boards/uploads')).toHaveLength(2)
    expect(posts(fetch)[1].body.photos).toEqual(['330825/boards/w1/k2.jpg'])
    expect(wrapper.find('[data-test="score-saved"]').exists()).toBe(true)
  })
})
