import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import { outbox } from '../offline/outbox.js'
import { GRID, TYPES, VILLAGER_ME, WORKER_ME, snapCase, uploadForm } from '../cases/test-data.js'
import SnapPage from './SnapPage.vue'

// The canvas work is image.js's (tested there); here a photo "shrinks" to a small JPEG.
vi.mock('@shared/image.js', () => ({
  shrinkPhoto: vi.fn(async (file) => {
    if (file.type !== 'image/jpeg') throw new Error('not an image')
    return new Blob([new Uint8Array(2048)], { type: 'image/jpeg' })
  }),
}))

const ROUTES = [{ path: '/cases', name: 'cases-mine' }, { path: '/snaps', name: 'snaps' }, { path: '/snaps/board', name: 'snaps-board' }]
const SIMILAR = {
  ref: 'SP-330825-000003', category_name: '环境卫生', text: '村口桥头垃圾没人清', status_name: '处理中',
  created_at: '2026-11-28T02:00:00Z', photo: 'http://s3.local/media/old.jpg?sig=1',
}

function server({ similar = [], post = () => ({ status: 201, body: snapCase() }), me = VILLAGER_ME } = {}) {
  let forms = 0
  return fakeFetch((req) => {
    if (req.path === '/me') return { body: me }
    if (req.path === '/cases/types') return { body: TYPES }
    if (req.path.startsWith('/snaps/similar?')) return { body: { items: similar } }
    if (req.method === 'POST' && req.path === '/cases/uploads') return { status: 201, body: uploadForm(++forms) }
    if (req.method === 'POST' && req.path === 'http://s3.local/media') return { status: 204 }
    if (req.method === 'POST' && req.path === '/snaps') return post(req)
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}

async function settle() {
  for (let i = 0; i < 6; i++) await flushPromises()
}

async function open(path = '/snaps', me = VILLAGER_ME) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
  const screen = await mountScreen(SnapPage, { path, routes: ROUTES })
  await settle()
  return screen
}

async function pick(wrapper, n, type = 'image/jpeg') {
  const input = wrapper.find('[data-test="photos-album"]')
  const files = Array.from({ length: n }, (_, i) => new File([`raw${i}`], `IMG_${i}.jpg`, { type }))
  Object.defineProperty(input.element, 'files', { value: files, configurable: true })
  await input.trigger('change')
  await settle()
}

async function fill(wrapper, { category = 'sanitation', text = '村口垃圾堆了三天没人清', location = '' } = {}) {
  if (category) await wrapper.find(`[data-test="category-${category}"] input`).setValue(true)
  if (text) await wrapper.find('[data-test="text"] textarea').setValue(text)
  if (location) await wrapper.find('[data-test="location"] input').setValue(location)
}

async function submit(wrapper) {
  await wrapper.find('form').trigger('submit')
  await settle()
}

const posts = (fetch, path) => fetch.requests().filter((r) => r.method === 'POST' && r.path === path)

enableAutoUnmount(afterEach)

describe('随手拍', () => {
  beforeEach(() => {
    localStorage.clear()
    outbox.items.splice(0)
    URL.createObjectURL = vi.fn(() => 'blob:photo')
    URL.revokeObjectURL = vi.fn()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
  })

  it("offers the county's categories, and a category's own required field as a picker", async () => {
    server()
    const { wrapper } = await open()
    const names = wrapper.findAll('[data-test="categories"] .case-choice strong').map((s) => s.text())
    expect(names).toEqual(['环境卫生', '道路设施', '安全隐患'])
    expect(wrapper.find('[data-test="extra-facility"]').exists()).toBe(false)
    await wrapper.find('[data-test="category-road"] input').setValue(true)
    const field = wrapper.find('[data-test="extra-facility"]')
    expect(field.text()).toContain('设施类型')
    expect(field.find('.extra-field__required').text()).toBe('*')
    expect(field.findAll('option').map((o) => o.text())).toEqual(['请选择', '道路', '路灯'])
    expect(wrapper.find('#snap-gps-hint').text()).toContain('约100米')
    const camera = wrapper.find('[data-test="photos-camera"]')
    expect(camera.attributes()).toMatchObject({ type: 'file', accept: 'image/*', capture: 'environment' })
    expect(wrapper.find('[data-test="photos-album"]').attributes('multiple')).toBeDefined()
  })

  it('shows each photo shrunk, with 删除, and takes no more than six', async () => {
    server()
    const { wrapper } = await open()
    await pick(wrapper, 2)
    expect(wrapper.findAll('[data-test="photo"]')).toHaveLength(2)
    expect(wrapper.find('.photos__count').text()).toBe('2/6张')
    await wrapper.findAll('[data-test="remove-photo"]')[0].trigger('click')
    expect(wrapper.findAll('[data-test="photo"]')).toHaveLength(1)
    expect(wrapper.find('[data-test="remove-photo"]').attributes('aria-label')).toBe('删除第1张照片')
    await pick(wrapper, 7)
    expect(wrapper.findAll('[data-test="photo"]')).toHaveLength(6)
    expect(wrapper.find('.photos__error').text()).toBe('最多6张照片')
    expect(wrapper.find('[data-test="photos-album"]').exists()).toBe(false) // full
  })

  it('asks for a photo, a category, the words and a required field before sending', async () => {
    const fetch = server()
    const { wrapper } = await open()
    await submit(wrapper)
    expect(wrapper.find('.photos__error').text()).toBe('请至少拍一张照片')
    expect(wrapper.find('.case-error').text()).toBe('请选择问题类型')
    expect(wrapper.find('[data-test="text"]').text()).toContain('请填写此项')
    await fill(wrapper, { category: 'road' })
    await pick(wrapper, 1)
    await submit(wrapper)
    expect(wrapper.find('[data-test="extra-facility"]').text()).toContain('请填写此项')
    expect(fetch.requests().filter((r) => r.method === 'POST')).toEqual([])
  })

  it('checks for similar ones first, then uploads each photo to S3 and files it once with the keys', async () => {
    const fetch = server()
    const { wrapper, router } = await open()
    await pick(wrapper, 2)
    await fill(wrapper, { category: 'road', location: '村口桥头' })
    await wrapper.find('[data-test="extra-facility"] select').setValue('streetlight')
    await submit(wrapper)
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('cases-mine'))
    expect(fetch.requests().find((r) => r.path.startsWith('/snaps/similar')).path)
      .toBe(`/snaps/similar?grid=${GRID}&category=road`)
    expect(posts(fetch, '/cases/uploads').map((r) => r.body)).toEqual([
      { type: 'snap', content_type: 'image/jpeg' }, { type: 'snap', content_type: 'image/jpeg' }])
    const s3 = posts(fetch, 'http://s3.local/media')
    expect(s3).toHaveLength(2)
    expect([...s3[0].body.keys()].at(-1)).toBe('file')
    const [filed] = posts(fetch, '/snaps')
    expect(filed.body).toEqual({
      category: 'road', text: '村口垃圾堆了三天没人清', location: '村口桥头', extra: { facility: 'streetlight' },
      photos: ['330825/cases/snap/v1/k1.jpg', '330825/cases/snap/v1/k2.jpg'],
    })
    expect(filed.headers['Idempotency-Key']).toMatch(/^[\w-]{8,}$/)
    expect(router.currentRoute.value.name).toBe('cases-mine')
    expect(outbox.items).toEqual([])
  })

  it('shows 附近已有人反映 with their photo, words and status, and sends only when asked to', async () => {
    const fetch = server({ similar: [SIMILAR] })
    const { wrapper, router } = await open()
    await pick(wrapper, 1)
    await fill(wrapper)
    await submit(wrapper)
    const panel = wrapper.find('[data-test="similar"]')
    expect(panel.find('h2').text()).toBe('附近已有人反映')
    const item = panel.find('[data-test="similar-item"]')
    expect(item.find('img').attributes('src')).toBe(SIMILAR.photo)
    expect(item.text()).toContain('村口桥头垃圾没人清')
    expect(item.text()).toContain('处理中')
    expect(item.text()).toContain('2026/11/28 10:00')
    expect(posts(fetch, '/snaps')).toEqual([])
    await wrapper.find('[data-test="send-anyway"]').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('cases-mine'))
    expect(posts(fetch, '/snaps')).toHaveLength(1)
  })

  it('keeps it on the phone with its photos as 待发送 without a signal', async () => {
    server()
    const { wrapper, router } = await open()
    await pick(wrapper, 2)
    await fill(wrapper)
    const fetch = fakeFetch(offline)
    await submit(wrapper)
    await vi.waitFor(() => expect(outbox.items).toHaveLength(1))
    expect(outbox.items).toMatchObject([{
      method: 'POST', path: '/snaps', body: { category: 'sanitation', text: '村口垃圾堆了三天没人清' },
      meta: { kind: 'snap', category: '环境卫生', photos: 2 }, files: [{ key: null }, { key: null }],
    }])
    expect(fetch.requests().filter((r) => r.method === 'POST' && r.path === '/snaps')).toEqual([])
    expect(router.currentRoute.value.name).toBe('cases-mine')
  })

  it('sends a rough position only when asked, rounded on the phone', async () => {
    const fetch = server()
    Object.defineProperty(navigator, 'geolocation', {
      configurable: true,
      value: { getCurrentPosition: (ok) => ok({ coords: { latitude: 29.0312345, longitude: 119.1723456 } }) },
    })
    const { wrapper, router } = await open()
    await pick(wrapper, 1)
    await fill(wrapper)
    await wrapper.find('[data-test="gps"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="gps-state"]').text()).toBe('已获取大致位置')
    await submit(wrapper)
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('cases-mine'))
    delete navigator.geolocation
    expect(posts(fetch, '/snaps')[0].body).toMatchObject({ lat: 29.031, lng: 119.172 })
  })

  it("shows the server's word under its field and keeps the photos uploaded for the next try", async () => {
    let tries = 0
    const fetch = server({
      post: () => (++tries === 1
        ? apiError(422, 'validation_failed', '提交的内容不符合要求', [{ field: 'text', code: 'string_too_short', message: '内容太短' }])
        : { status: 201, body: snapCase() }),
    })
    const { wrapper } = await open()
    await pick(wrapper, 2)
    await fill(wrapper)
    await submit(wrapper)
    await vi.waitFor(() => expect(wrapper.find('[data-test="text"]').text()).toContain('内容太短'))
    expect(outbox.items).toEqual([])
    await wrapper.find('[data-test="text"] textarea').setValue('村口垃圾堆了三天没人清，气味很大')
    await submit(wrapper)
    await vi.waitFor(() => expect(posts(fetch, '/snaps')).toHaveLength(2))
    expect(posts(fetch, '/cases/uploads')).toHaveLength(2) // not uploaded again
    expect(posts(fetch, '/snaps')[1].body.photos).toEqual(['330825/cases/snap/v1/k1.jpg', '330825/cases/snap/v1/k2.jpg'])
  })

  it('lets staff with no household choose one of their grids, and asks others to link a household', async () => {
    const fetch = server({ me: WORKER_ME })
    const { wrapper, router } = await open('/snaps', WORKER_ME)
    expect(wrapper.find('[data-test="grid"] select').element.value).toBe(GRID)
    await pick(wrapper, 1)
    await fill(wrapper)
    await submit(wrapper)
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('cases-mine'))
    expect(fetch.requests().find((r) => r.path.startsWith('/snaps/similar')).path).toContain(`grid=${GRID}`)
    expect(posts(fetch, '/snaps')[0].body.grid).toBe(GRID)
    wrapper.unmount()

    const nobody = { ...VILLAGER_ME, grants: [{ role: 'county_admin', place: '330825' }] }
    server({ me: nobody })
    const other = await open('/snaps', nobody)
    expect(other.wrapper.find('[data-test="no-grid"]').text()).toContain('请先关联您的家庭')
    expect(other.wrapper.find('form').exists()).toBe(false)
  })
})
