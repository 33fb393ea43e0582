import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import { flush, outbox } from '../offline/outbox.js'
import { LETTER_TYPES, MAILBOX_ME, TYPES, letterCase, uploadForm } from '../cases/test-data.js'
import LetterPage from './LetterPage.vue'

// The canvas work is image.js's (tested there); here a photo "shrinks" to a small JPEG.
vi.mock('@shared/image.js', () => ({
  shrinkPhoto: vi.fn(async () => new Blob([new Uint8Array(2048)], { type: 'image/jpeg' })),
}))

const ROUTES = [
  { path: '/cases', name: 'cases-mine' },
  { path: '/cases/:ref', name: 'case' },
  { path: '/letters/new', name: 'letters-new' },
]
const WORDS = '建议在村口装两盏路灯，晚上太黑了'

function server({ post = () => ({ status: 201, body: letterCase({ actions: [] }) }), me = MAILBOX_ME, types = LETTER_TYPES } = {}) {
  let forms = 0
  return fakeFetch((req) => {
    if (req.path === '/me') return { body: me }
    if (req.path === '/cases/types') return { body: types }
    if (req.method === 'POST' && req.path === '/cases/uploads') return { status: 201, body: uploadForm(++forms) }
    if (req.method === 'POST' && req.path === 'http://s3.local/media') return { status: 204 }
    if (req.method === 'POST' && req.path === '/letters') return post(req)
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}

async function settle() {
  for (let i = 0; i < 6; i++) await flushPromises()
}

async function open(path = '/letters/new', me = MAILBOX_ME) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
  const screen = await mountScreen(LetterPage, { path, routes: ROUTES })
  await settle()
  return screen
}

async function pick(wrapper, n) {
  const input = wrapper.find('[data-test="photos-album"]')
  const files = Array.from({ length: n }, (_, i) => new File([`raw${i}`], `IMG_${i}.jpg`, { type: 'image/jpeg' }))
  Object.defineProperty(input.element, 'files', { value: files, configurable: true })
  await input.trigger('change')
  await settle()
}

async function fill(wrapper, { to = null, category = 'suggestion', text = WORDS } = {}) {
  if (to) await wrapper.find(`[data-test="to-${to}"] input`).setValue(true)
  if (category) await wrapper.find(`[data-test="category-${category}"] input`).setValue(true)
  if (text) await wrapper.find('[data-test="text"] textarea').setValue(text)
}

async function submit(wrapper) {
  await wrapper.find('form').trigger('submit')
  await settle()
}

const posts = (fetch, path) => fetch.requests().filter((r) => r.method === 'POST' && r.path === path)

enableAutoUnmount(afterEach)

describe('村民信箱: writing a letter', () => {
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

  it('offers 村两委 or 乡镇, the categories still open, a counted letter, 匿名 explained and when it is answered', async () => {
    server()
    const { wrapper } = await open()
    const to = wrapper.find('[data-test="to"]')
    expect(to.find('legend').text()).toBe('写给谁')
    expect(to.findAll('.case-choice strong').map((s) => s.text())).toEqual(['村两委', '乡镇（街道）'])
    expect(to.find('[data-test="to-village"] input').element.checked).toBe(true) // the usual choice, ready
    const names = wrapper.findAll('[data-test="categories"] .case-choice strong').map((s) => s.text())
    expect(names).toEqual(['意见建议', '咨询求助', '投诉']) // not the category the county switched off
    expect(wrapper.find('[data-test="text"] .van-field__word-limit').text()).toBe('0/2000')
    await wrapper.find('[data-test="text"] textarea').setValue('路灯坏了')
    expect(wrapper.find('[data-test="text"] .van-field__word-limit').text()).toBe('4/2000')
    expect(wrapper.find('.photos__count').text()).toBe('0/3张')
    const anonymous = wrapper.find('[data-test="anonymous"]')
    expect(anonymous.attributes('role')).toBe('switch')
    expect(anonymous.attributes('aria-checked')).toBe('false')
    expect(wrapper.find('#letter-anonymous-label').text()).toBe('匿名来信')
    expect(anonymous.attributes('aria-describedby')).toBe('letter-anonymous-hint')
    expect(wrapper.find('#letter-anonymous-hint').text()).toContain('工作人员看不到您的姓名')
    expect(wrapper.find('#letter-anonymous-hint').text()).toContain('防止有人恶意写信')
    expect(wrapper.find('[data-test="promise"]').text()).toBe('村两委会在3个工作日内答复；到期没有答复的，来信会自动转交乡镇（街道）办理。')
    await wrapper.find('[data-test="to-township"] input').setValue(true)
    expect(wrapper.find('[data-test="promise"]').text()).toContain('转交县级部门')
  })

  it('asks for a category and at least 5 characters before sending', async () => {
    const fetch = server()
    const { wrapper } = await open()
    await submit(wrapper)
    expect(wrapper.find('[data-test="categories"] .case-error').text()).toBe('请选择来信类型')
    expect(wrapper.find('[data-test="text"]').text()).toContain('请填写此项')
    await fill(wrapper, { text: '  路灯坏  ' })
    expect(wrapper.find('[data-test="categories"] .case-error').exists()).toBe(false) // gone once chosen
    await submit(wrapper)
    expect(wrapper.find('[data-test="text"]').text()).toContain('请至少写5个字')
    expect(fetch.requests().filter((r) => r.method === 'POST')).toEqual([])
  })

  it('sends an anonymous letter to the township once, with an Idempotency-Key, and opens its page', async () => {
    const fetch = server()
    const { wrapper, router } = await open()
    await fill(wrapper, { to: 'township', category: 'complaint', text: `  ${WORDS}\n` })
    await wrapper.find('[data-test="anonymous"]').trigger('click')
    expect(wrapper.find('[data-test="anonymous"]').attributes('aria-checked')).toBe('true')
    await submit(wrapper)
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('case'))
    expect(router.currentRoute.value.params.ref).toBe('XX-330825-000004')
    const sent = posts(fetch, '/letters')
    expect(sent).toHaveLength(1)
    expect(sent[0].body).toEqual({ to: 'township', category: 'complaint', text: WORDS, anonymous: true })
    expect(sent[0].headers['Idempotency-Key']).toMatch(/^[\w-]{8,}$/)
    expect(posts(fetch, '/cases/uploads')).toEqual([])
    expect(outbox.items).toEqual([])
  })

  it('uploads each photo to S3 first and names them by their keys; not anonymous unless asked', async () => {
    const fetch = server()
    const { wrapper, router } = await open()
    await pick(wrapper, 4)
    expect(wrapper.findAll('[data-test="photo"]')).toHaveLength(3)
    expect(wrapper.find('.photos__error').text()).toBe('最多3张照片')
    await fill(wrapper)
    await submit(wrapper)
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('case'))
    expect(posts(fetch, '/cases/uploads').map((r) => r.body)).toEqual(Array(3).fill({ type: 'letter', content_type: 'image/jpeg' }))
    expect(posts(fetch, 'http://s3.local/media')).toHaveLength(3)
    expect(posts(fetch, '/letters')[0].body).toEqual({
      to: 'village', category: 'suggestion', text: WORDS, anonymous: false,
      photos: ['330825/cases/snap/v1/k1.jpg', '330825/cases/snap/v1/k2.jpg', '330825/cases/snap/v1/k3.jpg'],
    })
  })

  it('keeps it on the phone with its photo as 待发送 without a signal, to be sent once later', async () => {
    server()
    const { wrapper, router } = await open()
    await pick(wrapper, 1)
    await fill(wrapper, { category: 'help' })
    await wrapper.find('[data-test="anonymous"]').trigger('click')
    const fetch = fakeFetch(offline)
    await submit(wrapper)
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('cases-mine'))
    expect(outbox.items).toMatchObject([{
      method: 'POST', path: '/letters', body: { to: 'village', category: 'help', text: WORDS, anonymous: true },
      meta: { kind: 'letter', category: '咨询求助', to: 'village', photos: 1 }, files: [{ key: null, type: 'letter' }],
    }])
    expect(outbox.items[0].key).toMatch(/^[\w-]{8,}$/) // the one Idempotency-Key it will be sent with
    expect(posts(fetch, '/letters')).toEqual([]) // (the photo's upload was tried, and failed for want of a signal)

    // The signal returns: the photo goes up, then the letter, once, with the key it was kept with.
    const key = outbox.items[0].key
    const online = server()
    await flush()
    await flush()
    expect(posts(online, '/cases/uploads')).toHaveLength(1)
    const sent = posts(online, '/letters')
    expect(sent).toHaveLength(1)
    expect(sent[0].headers['Idempotency-Key']).toBe(key)
    expect(sent[0].body.photos).toEqual(['330825/cases/snap/v1/k1.jpg'])
    expect(outbox.items).toEqual([])
  })

  it("shows the server's refusal under its field", async () => {
    server({
      post: () => apiError(422, 'validation_failed', '提交的内容不符合要求', [{ field: 'text', code: 'string_too_short', message: '内容太短' }]),
    })
    const { wrapper, router } = await open()
    await fill(wrapper)
    await submit(wrapper)
    await vi.waitFor(() => expect(wrapper.find('[data-test="text"]').text()).toContain('内容太短'))
    expect(router.currentRoute.value.name).toBe('letters-new')
    expect(outbox.items).toEqual([])
  })

  it('fixes a letter the server refused after it waited: the form comes back filled, with why, and replaces it', async () => {
    outbox.items.push({
      key: 'k-letter-9', method: 'POST', path: '/letters', owner: '330825:v1', queued_at: '2026-11-29T12:00:00Z',
      body: { to: 'township', category: 'old', text: '路灯坏了好几天了', anonymous: true },
      meta: { kind: 'letter', category: '旧类别', to: 'township', photos: 0 }, files: [], filesField: 'photos',
      error: { status: 422, code: 'validation_failed', message: '提交的内容不符合要求', details: [{ field: 'category', message: '该类别已停用' }] },
    })
    const fetch = server()
    const { wrapper, router } = await open('/letters/new?draft=k-letter-9')
    expect(wrapper.find('[data-test="to-township"] input').element.checked).toBe(true)
    expect(wrapper.find('[data-test="text"] textarea').element.value).toBe('路灯坏了好几天了')
    expect(wrapper.find('[data-test="anonymous"]').attributes('aria-checked')).toBe('true')
    expect(wrapper.find('[data-test="categories"] .case-error').text()).toBe('该类别已停用')
    await wrapper.find('[data-test="category-complaint"] input').setValue(true)
    await submit(wrapper)
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('case'))
    expect(posts(fetch, '/letters')[0].body).toEqual({ to: 'township', category: 'complaint', text: '路灯坏了好几天了', anonymous: true })
    expect(outbox.items).toEqual([]) // the refused one is gone: replaced by the one sent
  })

  it('asks someone of no household to link one, and says when the county has no mailbox', async () => {
    const nobody = { ...MAILBOX_ME, grants: [{ role: 'county_admin', place: '330825' }] }
    server({ me: nobody })
    const { wrapper } = await open('/letters/new', nobody)
    expect(wrapper.find('[data-test="no-village"]').text()).toContain('请先关联您的家庭')
    expect(wrapper.find('form').exists()).toBe(false)
    wrapper.unmount()

    server({ types: TYPES })
    const off = await open()
    expect(off.wrapper.find('[data-test="letters-off"]').text()).toBe('本县没有开通村民信箱')
    expect(off.wrapper.find('form').exists()).toBe(false)
  })
})
