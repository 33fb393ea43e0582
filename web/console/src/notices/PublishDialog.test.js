import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, mountConsole, nativeSelects } from '../common/testing.js'
import { clearPlaceCache } from '../places/placeCache.js'
import PublishDialog from './PublishDialog.vue'

const VILLAGE = '330825001201'
const GRIDS = [{ code: `${VILLAGE}G01`, name: '第一网格', level: 'grid' }, { code: `${VILLAGE}G02`, name: '第二网格', level: 'grid' }]
const OUT = { id: 'n1', title: '停水通知', status: 'published', status_name: '已发布', version: 1 }
const refused = (status, code, message, details = null) => ({ status, body: { error: { code, message, details } } })

/** The village's grids; POST /notices answers with `answers` in turn (or the notice). */
function server(answers = []) {
  return fakeFetch([
    ['POST', '/api/notices/uploads', (url, init) => ({ status: 201, body: { key: `uploads/n/${JSON.parse(init.body).name}`,
      url: 'https://s3.example/bucket', fields: { key: 'k', policy: 'p' }, max_bytes: 2097152 } })],
    ['GET', '/api/places?parent=', () => ({ body: { items: GRIDS, next_cursor: null } })],
    ['POST', '/api/notices', () => {
      const next = answers.shift()
      return next ? next() : { status: 201, body: OUT }
    }],
    ['PUT', '/api/notices/', () => (answers.shift() || (() => ({ body: OUT })))()],
    ['POST', 'https://s3.example/bucket', () => ({ status: 204, text: '' })],
  ])
}

async function settle() {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0)
  await vi.advanceTimersByTimeAsync(200) // Element Plus shows a form item's error after a debounce
}
const dialog = () => document.querySelector('.notice-dialog')
const input = (label) => dialog().querySelector(`[aria-label="${label}"]`)
async function type(label, text) {
  const el = input(label)
  el.value = text
  el.dispatchEvent(new Event('input'))
  await settle()
}
async function save() {
  dialog().querySelector('[data-test=notice-save]').click()
  await settle()
}
const errors = () => [...dialog().querySelectorAll('.el-form-item__error')].map((e) => e.textContent.trim())
const posts = (f) => f.calls.filter((c) => c.method === 'POST')
const keyOf = (call) => call.init.headers['Idempotency-Key']

function open(props = {}) {
  return mountConsole(PublishDialog, { props: { modelValue: true, place: VILLAGE, placeName: '张王村', ...props },
    stubs: nativeSelects })
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825' }))
  clearPlaceCache()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('发布通知', () => {
  it('says what is missing before sending anything, and offers the grids of the village', async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const w = open()
    await settle()
    expect(dialog().querySelector('[data-test=from-place]').textContent).toBe('张王村')
    const options = [...dialog().querySelectorAll('select[aria-label="发送范围"] option')].map((o) => o.textContent)
    expect(options).toEqual(expect.arrayContaining(['第一网格', '第二网格']))
    expect(dialog().textContent).toContain('7天未打开村情通的住户发送一次短信') // what 紧急 does
    await save()
    expect(errors()).toEqual(['请填写标题', '请填写正文'])
    await type('标题', '停')
    await save()
    expect(errors()).toEqual(['标题应为2至60个字', '请填写正文'])
    expect(posts(f)).toHaveLength(0)
    w.unmount()
  })

  it("puts the server's 422 next to its field and sends the same Idempotency-Key when retried unchanged", async () => {
    const f = server([
      () => refused(422, 'validation_error', '发送范围不在发布单位之内',
        [{ field: 'targets.0', code: 'out_of_scope', message: '所选地点不在张王村范围内' }]),
      () => new TypeError('Failed to fetch'), // the answer is lost
    ])
    vi.stubGlobal('fetch', f)
    const w = open()
    await settle()
    await type('标题', '停水通知')
    await type('正文', '明天上午停水。')
    // (a multiple select: choose through the stub, whose native <select> gives one string)
    w.findAllComponents(nativeSelects.ElSelect)[0].vm.$emit('update:modelValue', [`${VILLAGE}G02`])
    await settle()
    await save()
    expect(errors()).toEqual(['所选地点不在张王村范围内'])
    expect(dialog().textContent).not.toContain('发送范围不在发布单位之内所选地点') // not repeated above the buttons
    expect(w.emitted('saved')).toBeUndefined()

    await save() // lost: offered again
    await save() // the retry: published
    const sent = posts(f)
    expect(sent).toHaveLength(3)
    expect(keyOf(sent[2])).toBe(keyOf(sent[1])) // same body, same key: the server answers the first notice
    expect(keyOf(sent[1])).toBe(keyOf(sent[0]))
    expect(JSON.parse(sent[2].init.body)).toEqual({ place: VILLAGE, title: '停水通知', body: '明天上午停水。',
      urgent: false, targets: [`${VILLAGE}G02`], roles: [], attachments: [] })
    expect(w.emitted('saved')[0][0]).toEqual(OUT)
    w.unmount()
  })

  it('a changed body is a new action (a new key); urgent, party members and a time are sent as the server reads '
    + 'them', async () => {
    const f = server([() => new TypeError('Failed to fetch')])
    vi.stubGlobal('fetch', f)
    const w = open()
    await settle()
    await type('标题', '党员大会通知')
    await type('正文', '周五晚七点开会。')
    await save()
    dialog().querySelector('[data-audience=party] input').click()
    dialog().querySelector('[data-test=urgent-switch]').click()
    await settle()
    await w.findComponent({ name: 'ElDatePicker' }).vm.$emit('update:modelValue', '2099-01-01T19:00:00')
    await settle()
    await save()
    expect(errors()).toEqual(['定时发布最多提前90天'])
    await w.findComponent({ name: 'ElDatePicker' }).vm.$emit('update:modelValue', '')
    await settle()
    await save()
    const sent = posts(f)
    expect(sent).toHaveLength(2)
    expect(keyOf(sent[1])).not.toBe(keyOf(sent[0]))
    expect(JSON.parse(sent[1].init.body)).toMatchObject({ urgent: true, roles: ['party_member'], targets: [] })
    w.unmount()
  })

  it('edits a scheduled notice with its version (PUT), and a stale version says to reload', async () => {
    const notice = { id: 'n9', title: '春耕通知', body: '做好准备。', urgent: false, attachments: [], roles: [],
      targets: [{ place: VILLAGE, name: '张王村' }], publish_at: '2026-12-08T08:00:00Z', from_place: VILLAGE,
      from_name: '张王村', status: 'scheduled', status_name: '待发布', version: 3, can_manage: true }
    const f = server([() => refused(409, 'version_conflict', '通知已被他人修改，请刷新后再试')])
    vi.stubGlobal('fetch', f)
    const w = open({ notice })
    await settle()
    expect(input('标题').value).toBe('春耕通知')
    await save()
    expect(dialog().querySelector('[role=alert]').textContent).toContain('通知已被他人修改，请刷新后再试')
    const put = f.calls.find((c) => c.method === 'PUT')
    expect(put.url).toBe('/api/notices/n9')
    expect(JSON.parse(put.init.body)).toMatchObject({ version: 3, place: VILLAGE, targets: [],
      publish_at: '2026-12-08T16:00:00+08:00' })
    w.unmount()
  })

  it('uploads a photo and a PDF straight to S3 and sends their keys; other files are refused on the spot', async () => {
    const f = server()
    vi.stubGlobal('fetch', f)
    const w = open()
    await settle()
    await type('标题', '村道施工公告')
    await type('正文', '施工期间请绕行。')
    const picker = dialog().querySelector('[data-test=attachment-input]')
    const files = [new File(['png'], '线路图.png', { type: 'image/png' }),
      new File(['%PDF'], '施工方案.pdf', { type: 'application/pdf' }), new File(['x'], '表格.xlsx', { type: 'application/vnd.ms-excel' })]
    Object.defineProperty(picker, 'files', { value: files, configurable: true })
    picker.dispatchEvent(new Event('change'))
    await settle()
    expect([...dialog().querySelectorAll('[data-test=attachment]')].map((a) => a.textContent)).toEqual([
      expect.stringContaining('线路图.png'), expect.stringContaining('施工方案.pdf')])
    expect(errors()).toEqual(['表格.xlsx：只能上传JPG、PNG图片或PDF文件'])
    const s3 = f.calls.filter((c) => c.url === 'https://s3.example/bucket')
    expect(s3).toHaveLength(2)
    expect(s3[0].init.body.get('key')).toBe('k') // the presigned form's fields, then the file
    await save()
    const sent = posts(f).filter((c) => c.url === '/api/notices')
    expect(JSON.parse(sent[0].init.body).attachments).toEqual([
      { key: 'uploads/n/线路图.png', name: '线路图.png' }, { key: 'uploads/n/施工方案.pdf', name: '施工方案.pdf' }])
    w.unmount()
  })
})
