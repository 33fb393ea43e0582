// 发布招募 / 修改招募: what is missing is said before anything is sent; a new call goes out with the picked Shanghai
// times as +08:00 and an Idempotency-Key kept for a retry of the same body; an edit shows the call's times in Shanghai
// and sends PUT with the version read; the server's 422 shows next to its field.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { useAuth } from '../auth/store.js'
import { fakeFetch, mountConsole, nativeSelects } from '../common/testing.js'
import { clearPlaceCache } from '../places/placeCache.js'
import CallDialog from './CallDialog.vue'

const VILLAGE = '330825001201'
const CALL = { id: 'c1', title: '为村医招募驾驶员', description: '接送村医', place: VILLAGE, place_name: '张王村',
  address: '卫生室门口', starts_at: '2026-12-09T00:00:00Z', ends_at: '2026-12-09T04:00:00Z', slots: 5, confirmed: 2,
  waiting: 0, requirements: '', skills: ['驾驶'], status: 'open', version: 3 }
const refused = (status, code, message, details = null) => ({ status, body: { error: { code, message, details } } })

function server(answers = []) {
  return fakeFetch([
    ['GET', `/api/places/${VILLAGE}`, { body: { code: VILLAGE, name: '张王村', level: 'village', parent: '330825001' } }],
    ['POST', '/api/volunteers/calls', () => (answers.shift() || (() => ({ status: 201, body: CALL })))()],
    ['PUT', '/api/volunteers/calls/c1', () => (answers.shift() || (() => ({ body: CALL })))()],
  ])
}
async function settle() {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0)
  await vi.advanceTimersByTimeAsync(200) // Element Plus shows a form item's error after a debounce
}
const dialog = () => document.querySelector('.vol-dialog')
async function type(id, text) {
  const el = dialog().querySelector(`#${id}`)
  el.value = text
  el.dispatchEvent(new Event('input'))
  await settle()
}
async function pick(w, label, value) {
  const picker = w.findAllComponents({ name: 'ElDatePicker' }).find((c) => c.attributes('aria-label') === label
    || c.props('ariaLabel') === label)
  picker.vm.$emit('update:modelValue', value)
  await settle()
}
async function save() {
  dialog().querySelector('[data-test=call-save]').click()
  await settle()
}
const errors = () => [...dialog().querySelectorAll('.el-form-item__error')].map((e) => e.textContent.trim())
const sent = (f, method) => f.calls.filter((c) => c.method === method && c.url.includes('/volunteers/calls'))

function open(props = {}) {
  const pinia = createPinia()
  useAuth(pinia).me = { tenant: '330825', grants: [], permissions: { 'volunteers.organise': [VILLAGE] } }
  return mountConsole(CallDialog, { pinia, props: { modelValue: true, place: VILLAGE, ...props }, stubs: nativeSelects })
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
  vi.setSystemTime(new Date('2026-12-07T02:00:00Z'))
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825' }))
  clearPlaceCache()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('发布招募', () => {
  it('says what is missing first, then posts with +08:00 times and keeps the key for a retry', async () => {
    const f = server([() => new TypeError('Failed to fetch')]) // the first answer is lost
    vi.stubGlobal('fetch', f)
    const w = open()
    await settle()
    await save()
    expect(errors()).toEqual(expect.arrayContaining(['标题应为2–40个字', '请填写招募内容（2000字以内）', '请选择时间']))
    expect(sent(f, 'POST')).toHaveLength(0)
    await type('vol-title', '抗洪转移')
    await type('vol-description', '帮老人搬运行李')
    await type('vol-address', '村文化礼堂')
    await pick(w, '开始时间', '2026-12-09T08:00:00')
    await pick(w, '结束时间', '2026-12-09T12:00:00')
    await save()
    expect(dialog().textContent).toContain('网络连接失败')
    await save()
    const [first, second] = sent(f, 'POST')
    expect(JSON.parse(second.init.body)).toEqual({ place: VILLAGE, title: '抗洪转移', description: '帮老人搬运行李',
      address: '村文化礼堂', starts_at: '2026-12-09T08:00:00+08:00', ends_at: '2026-12-09T12:00:00+08:00', slots: 5,
      requirements: '', skills: [] })
    expect(second.init.headers['Idempotency-Key']).toBeTruthy()
    expect(second.init.headers['Idempotency-Key']).toBe(first.init.headers['Idempotency-Key'])
    expect(w.emitted('saved')).toHaveLength(1)
    w.unmount()
  })

  it('edits a call: Shanghai times shown, PUT with the version; the server’s 422 next to its field', async () => {
    const f = server([() => refused(422, 'validation_error', '请求参数不正确',
      [{ field: 'slots', code: 'below_confirmed', message: '名额不能少于已确认的2人' }])])
    vi.stubGlobal('fetch', f)
    const w = open({ call: CALL })
    await settle()
    expect(dialog().querySelector('[data-test=call-place]').textContent).toBe('张王村')
    const pickers = w.findAllComponents({ name: 'ElDatePicker' })
    expect(pickers.map((p) => p.props('modelValue'))).toEqual(['2026-12-09T08:00:00', '2026-12-09T12:00:00'])
    await save()
    expect(errors()).toContain('名额不能少于已确认的2人')
    const body = JSON.parse(sent(f, 'PUT')[0].init.body)
    expect(body).toMatchObject({ version: 3, starts_at: '2026-12-09T08:00:00+08:00', ends_at: '2026-12-09T12:00:00+08:00',
      skills: ['驾驶'] })
    expect(w.emitted('saved')).toBeUndefined()
    w.unmount()
  })
})
