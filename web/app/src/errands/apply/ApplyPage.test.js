// 在线申请 (/errands/:id/apply): the item's typed form, a photo per material, the delivery, and sending.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../../test-support.js'
import { GRID, VILLAGER_ME, uploadForm } from '../../cases/test-data.js'
import ApplyPage from './ApplyPage.vue'

// The canvas work is image.js's (tested there); here a photo "shrinks" to a small JPEG.
vi.mock('@shared/image.js', () => ({
  shrinkPhoto: vi.fn(async () => new Blob([new Uint8Array(2048)], { type: 'image/jpeg' })),
}))

const ITEM = {
  id: 'a00000000001', code: null, name: '生育登记', department: '县卫生健康局', summary: '', conditions: '',
  materials: [
    { name: '夫妻双方身份证', note: '正反面拍照', original_required: true, sample_url: null },
    { name: '结婚证', note: '', original_required: false, sample_url: null },
  ],
  fields: [
    { key: 'f1', label: '孩子出生日期', type: 'date', required: true },
    { key: 'f2', label: '父亲身份证号', type: 'id_number', required: true },
    { key: 'f3', label: '分娩方式', type: 'choice', required: false, choices: ['顺产', '剖宫产'] },
    { key: 'f4', label: '出生医学证明', type: 'photo', required: true },
    { key: 'f5', label: '备注', type: 'text', required: false },
  ],
  fee: '不收费', time_limit_days: 20, promised_days: 5, delivery: ['pickup', 'courier'], keywords: [],
  initials: 'sydj', enabled: true, updated_at: '2026-12-07T08:00:00Z', version: 1,
}
const ID = '11010519491231002X' // a valid GB 11643 number (check digit X)
const ME = { ...VILLAGER_ME, modules: ['errands'] }
const ROUTES = [
  { path: '/errands/:id/apply', name: 'errand-apply' },
  { path: '/errands/:id', name: 'errand' },
  { path: '/errands/applications/:ref', name: 'errand-application' },
  { path: '/cases', name: 'cases-mine' },
]
const OUT = { case: { ref: 'DB-330825-000001', status: 'filed', status_name: '待受理', timeline: [], actions: [] } }

function server({ item = ITEM, me = ME, post = () => ({ status: 201, body: OUT }) } = {}) {
  let forms = 0
  return fakeFetch((req) => {
    if (req.path === '/me') return { body: me }
    if (req.path === `/errands/items/${item.id}`) return { body: item }
    if (req.path.startsWith('/households/')) {
      const id = req.path.split('/').pop()
      return { body: { id, grid: GRID, address: `灵山村${id}号`, head_name: '户主', members: [] } }
    }
    if (req.method === 'POST' && req.path === '/cases/uploads') return { status: 201, body: uploadForm(++forms) }
    if (req.method === 'POST' && req.path === 'http://s3.local/media') return { status: 204 }
    if (req.method === 'POST' && req.path === '/errands/applications') return post(req)
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
}

async function settle() {
  for (let i = 0; i < 6; i++) await flushPromises()
}

async function open(me = ME, id = ITEM.id) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
  const screen = await mountScreen(ApplyPage, { path: `/errands/${id}/apply`, routes: ROUTES })
  await settle()
  return screen
}

async function pick(wrapper, name, n = 1) {
  const input = wrapper.find(`[data-test="${name}-album"]`)
  const files = Array.from({ length: n }, (_, i) => new File([`raw${i}`], `IMG_${i}.jpg`, { type: 'image/jpeg' }))
  Object.defineProperty(input.element, 'files', { value: files, configurable: true })
  await input.trigger('change')
  await settle()
}

async function fill(wrapper, { id = ID } = {}) {
  await wrapper.find('[data-test="value-f1"] input').setValue('2026-11-20')
  await wrapper.find('[data-test="value-f2"] input').setValue(id)
  await wrapper.find('[data-test="value-f3"] input[value="剖宫产"]').setValue(true)
  await pick(wrapper, 'value-f4')
  await pick(wrapper, 'material-0-photos', 2)
  await pick(wrapper, 'material-1-photos')
}

const posts = (fetch, path) => fetch.requests().filter((r) => r.method === 'POST' && r.path === path)
const errorOf = (wrapper, test) => wrapper.find(`[data-test="${test}"] .van-field__error-message`)

enableAutoUnmount(afterEach)

describe('在线申请', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('shows the item, one input per field by its type with required marks, each material with its note and 须验原件', async () => {
    server()
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="apply-item"]').text()).toBe('生育登记')
    expect(wrapper.find('[data-test="apply-department"]').text()).toBe('县卫生健康局')
    expect(wrapper.find('[data-test="household"]').exists()).toBe(false) // one household: nothing to choose
    expect(wrapper.find('[data-test="value-f1"] input').attributes('type')).toBe('date')
    const id = wrapper.find('[data-test="value-f2"] input')
    await id.setValue(`${ID}99`)
    expect(id.element.value).toBe(ID) // an ID number takes 18 characters
    expect(wrapper.findAll('[data-test="value-f3"] input[type="radio"]').map((r) => r.attributes('value'))).toEqual(['顺产', '剖宫产'])
    expect(wrapper.find('[data-test="value-f4-album"]').exists()).toBe(true) // a photo field: the photo picker
    expect(wrapper.find('[data-test="value-f5"] input').attributes('type')).toBe('text')
    const required = ['f1', 'f2', 'f3', 'f5'].map((k) => wrapper.find(`[data-test="value-${k}"] .van-field__label--required`).exists())
    expect(required).toEqual([true, true, false, false])
    const m0 = wrapper.find('[data-test="material-0"]')
    expect(m0.text()).toContain('1. 夫妻双方身份证')
    expect(m0.text()).toContain('正反面拍照')
    expect(m0.find('[data-test="original-required"]').text()).toContain('须验原件')
    expect(m0.find('[data-test="original-required"]').text()).toContain('办理时需出示原件')
    expect(wrapper.find('[data-test="material-1"] [data-test="original-required"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="material-1"]').text()).toContain('0/4张')
    // 领取方式: both offered, 网点自取 first and chosen; the address only for 快递到家
    expect(wrapper.find('[data-test="delivery-pickup"] input').element.checked).toBe(true)
    expect(wrapper.find('[data-test="address"]').exists()).toBe(false)
    await wrapper.find('[data-test="delivery-courier"] input').setValue(true)
    expect(wrapper.find('[data-test="address"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="phone"]').exists()).toBe(true)
  })

  it('offers only the delivery the item has', async () => {
    server({ item: { ...ITEM, delivery: ['courier'] } })
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="delivery-pickup"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="delivery-courier"] input').element.checked).toBe(true)
    expect(wrapper.find('[data-test="address"]').exists()).toBe(true)
  })

  it('says what is missing on the phone, the ID check digit included, and sends nothing', async () => {
    const fetch = server()
    const { wrapper } = await open()
    await wrapper.find('[data-test="delivery-courier"] input').setValue(true)
    await wrapper.find('[data-test="address"] textarea').setValue('灵山村')
    await wrapper.find('[data-test="phone"] input').setValue('12345')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(errorOf(wrapper, 'value-f1').text()).toBe('请填写此项')
    expect(errorOf(wrapper, 'value-f2').text()).toBe('请填写此项')
    expect(errorOf(wrapper, 'value-f3').exists()).toBe(false) // optional
    expect(wrapper.find('[data-test="value-f4"] .photos__error').text()).toBe('请至少拍一张照片')
    expect(wrapper.find('[data-test="material-0-photos"] .photos__error').text()).toBe('请至少拍一张照片')
    expect(wrapper.find('[data-test="material-1-photos"] .photos__error').text()).toBe('请至少拍一张照片')
    expect(errorOf(wrapper, 'address').text()).toBe('收件地址至少5个字')
    expect(errorOf(wrapper, 'phone').text()).toBe('请输入有效的11位手机号')
    // a wrong check digit is caught as soon as the number is typed in
    const id = wrapper.find('[data-test="value-f2"] input')
    await id.setValue('110105194912310021')
    await id.trigger('blur')
    expect(errorOf(wrapper, 'value-f2').text()).toBe('身份证号校验位不正确')
    await id.setValue(ID.toLowerCase())
    await id.trigger('blur')
    expect(errorOf(wrapper, 'value-f2').exists()).toBe(false)
    expect(posts(fetch, '/cases/uploads')).toHaveLength(0)
    expect(posts(fetch, '/errands/applications')).toHaveLength(0)
  })

  it('uploads every photo as an errand photo, sends the typed values, a list of keys per material and the courier address', async () => {
    const fetch = server()
    const { wrapper, router } = await open()
    await fill(wrapper, { id: ID.toLowerCase() })
    await wrapper.find('[data-test="value-f5"] input').setValue('  ')
    await wrapper.find('[data-test="delivery-courier"] input').setValue(true)
    await wrapper.find('[data-test="address"] textarea').setValue(' 龙游县灵山村1号 ')
    await wrapper.find('[data-test="phone"] input').setValue('138 0000 1234')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(posts(fetch, '/cases/uploads').map((r) => r.body)).toEqual(Array(4).fill({ type: 'errand', content_type: 'image/jpeg' }))
    expect(posts(fetch, 'http://s3.local/media')).toHaveLength(4)
    const [sent] = posts(fetch, '/errands/applications')
    expect(sent.body).toEqual({
      item: ITEM.id, household: 'h1',
      values: { f1: '2026-11-20', f2: ID, f3: '剖宫产', f4: ['330825/cases/snap/v1/k1.jpg'] }, // f5 left empty: left out
      materials: [['330825/cases/snap/v1/k2.jpg', '330825/cases/snap/v1/k3.jpg'], ['330825/cases/snap/v1/k4.jpg']],
      delivery: 'courier', address: '龙游县灵山村1号', phone: '13800001234',
    })
    expect(sent.headers['Idempotency-Key']).toBeTruthy()
    expect(router.currentRoute.value.fullPath).toBe('/errands/applications/DB-330825-000001')
  })

  it('puts the server’s 422 under the fields it names', async () => {
    const fetch = server({
      post: () => apiError(422, 'validation_failed', '提交的内容不符合要求', [
        { field: 'values.f2', code: 'invalid_id_number', message: '父亲身份证号不是有效的身份证号' },
        { field: 'materials.1', code: 'required', message: '请上传“结婚证”的照片' },
        { field: 'address', code: 'required', message: '请填写快递收件地址' },
        { field: 'item', code: 'item_disabled', message: '该事项已停办' },
      ]),
    })
    const { wrapper, router } = await open()
    await fill(wrapper)
    await wrapper.find('[data-test="delivery-courier"] input').setValue(true)
    await wrapper.find('[data-test="address"] textarea').setValue('龙游县灵山村1号')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(posts(fetch, '/errands/applications')).toHaveLength(1)
    expect(errorOf(wrapper, 'value-f2').text()).toBe('父亲身份证号不是有效的身份证号')
    expect(wrapper.find('[data-test="material-1-photos"] .photos__error').text()).toBe('请上传“结婚证”的照片')
    expect(errorOf(wrapper, 'address').text()).toBe('请填写快递收件地址')
    expect(wrapper.find('.error-block').text()).toContain('该事项已停办') // no input for it: listed with the form's error
    expect(router.currentRoute.value.name).toBe('errand-apply')
    // the field's error goes once it is changed
    await wrapper.find('[data-test="address"] textarea').setValue('龙游县灵山村2号')
    expect(errorOf(wrapper, 'address').exists()).toBe(false)
  })

  it('without a signal says so and keeps everything; 提交申请 again reuses the Idempotency-Key and the uploads', async () => {
    let answer = offline
    const fetch = server({ post: (req) => answer(req) })
    const { wrapper, router } = await open()
    await fill(wrapper)
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="kept"]').text()).toContain('填写的内容都还在')
    expect(wrapper.find('.error-block').text()).toContain('网络不通')
    expect(wrapper.find('[data-test="value-f1"] input').element.value).toBe('2026-11-20')
    expect(wrapper.findAll('[data-test="material-0-photos"] [data-test="photo"]')).toHaveLength(2)
    expect(router.currentRoute.value.name).toBe('errand-apply')
    answer = () => ({ status: 201, body: OUT })
    await wrapper.find('[data-test="submit-apply"]').trigger('click')
    await settle()
    const sent = posts(fetch, '/errands/applications')
    expect(sent).toHaveLength(2)
    expect(sent[1].headers['Idempotency-Key']).toBe(sent[0].headers['Idempotency-Key'])
    expect(sent[1].body).toEqual(sent[0].body)
    expect(posts(fetch, '/cases/uploads')).toHaveLength(4) // not uploaded again
    expect(router.currentRoute.value.fullPath).toBe('/errands/applications/DB-330825-000001')
  })

  it('a changed submission after a refusal gets a new Idempotency-Key', async () => {
    let n = 0
    const fetch = server({
      post: () => (++n === 1 ? apiError(422, 'validation_failed', '提交的内容不符合要求', [{ field: 'values.f1', code: 'invalid_date', message: '孩子出生日期应为日期' }]) : { status: 201, body: OUT }),
    })
    const { wrapper } = await open()
    await fill(wrapper)
    await wrapper.find('form').trigger('submit')
    await settle()
    await wrapper.find('[data-test="value-f1"] input').setValue('2026-11-21')
    await wrapper.find('form').trigger('submit')
    await settle()
    const sent = posts(fetch, '/errands/applications')
    expect(sent).toHaveLength(2)
    expect(sent[1].headers['Idempotency-Key']).not.toBe(sent[0].headers['Idempotency-Key'])
  })

  it('a phone linked to several households chooses which one applies (the first by default)', async () => {
    const me = { ...ME, grants: [...ME.grants, { role: 'villager', place: GRID, household: 'h2' }] }
    const fetch = server({ me })
    const { wrapper } = await open(me)
    const select = wrapper.find('[data-test="household"] select')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['灵山村h1号', '灵山村h2号'])
    expect(select.element.value).toBe('h1')
    await select.setValue('h2')
    await fill(wrapper)
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(posts(fetch, '/errands/applications')[0].body.household).toBe('h2')
  })

  it('asks a phone with no household to link one first', async () => {
    const me = { ...ME, grants: [] }
    server({ me })
    const { wrapper } = await open(me)
    expect(wrapper.find('[data-test="no-household"]').exists()).toBe(true)
    expect(wrapper.find('form').exists()).toBe(false)
  })
})
