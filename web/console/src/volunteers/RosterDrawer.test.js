// A call's roster: the confirmed in order and the waiting list with positions, phones masked until 显示号码
// (reveal=true), 导出名单 saves the workbook fetched as a blob under its name, 登记时长 posts the hours of a row.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ElMessageBox } from 'element-plus'
import { fakeFetch, flush, mountConsole } from '../common/testing.js'
import RosterDrawer from './RosterDrawer.vue'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})
const settle = async () => {
  for (let i = 0; i < 20; i++) await flush()
}
const CALL = { id: 'c1', title: '为村医招募驾驶员', slots: 2, confirmed: 2, waiting: 2 }
const row = (id, name, status, position, phone, extra = {}) => ({ id, name, village: '330825001201', phone, status,
  status_name: status === 'confirmed' ? '已确认' : '候补', position, created_at: '2026-12-07T02:00:00Z', checked_in_at: null,
  checked_out_at: null, hours: null, points: null, ...extra })
const rosterOf = (reveal) => ({
  call: 'c1', title: CALL.title, slots: 2, revealed: reveal,
  confirmed: [row('s1', '王建国', 'confirmed', null, reveal ? '13800000001' : '138****0001'),
    row('s2', '余党员', 'confirmed', null, reveal ? '13900000013' : '139****0013', { checked_in_at: '2026-12-09T00:05:00Z' })],
  waiting: [row('s3', '李秀英', 'waiting', 1, '137****0003'), row('s4', '张三', 'waiting', 2, '136****0004')],
})

function api(state) {
  return fakeFetch([
    ['GET', '/volunteers/calls/c1/roster.xlsx', { body: { url: 'http://s3.local/media/x.xlsx?sig=1', filename: '志愿者名单-为村医招募驾驶员.xlsx' } }],
    ['GET', 'http://s3.local/media/x.xlsx', () => ({ status: 200 })],
    ['GET', '/volunteers/calls/c1/roster', (url) => ({ body: rosterOf(url.includes('reveal=true')) })],
    ['POST', '/volunteers/calls/c1/hours', (url, init) => {
      state.hours = JSON.parse(init.body)
      return { body: { ...row('s2', '余党员', 'confirmed', null, '139****0013'), hours: 4, points: 5 } }
    }],
  ])
}

describe('报名名单', () => {
  it('shows the confirmed in order and the waiting with positions; 显示号码 asks with reveal=true', async () => {
    const f = api({})
    vi.stubGlobal('fetch', f)
    mountConsole(RosterDrawer, { props: { modelValue: true, call: CALL } })
    await settle()
    expect(f.calls[0].url).toContain('/volunteers/calls/c1/roster?reveal=false')
    const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent.trim())
    expect(document.querySelector('[data-test="roster-counts"]').textContent).toContain('已确认 2/2 人，候补 2 人')
    const confirmed = [...document.querySelectorAll('[data-test="roster-confirmed"] .el-table__body-wrapper tr')]
      .map((tr) => tr.textContent)
    expect(confirmed[0]).toContain('王建国')
    expect(confirmed[1]).toContain('余党员')
    expect(text('[data-test="roster-waiting"] [data-test="position"]')).toEqual(['第1位', '第2位'])
    expect(text('[data-test="roster-confirmed"] [data-test="phone"]')).toContain('138****0001')
    document.querySelector('[data-test="reveal"]').click()
    await settle()
    expect(f.calls.at(-1).url).toContain('reveal=true')
    expect(text('[data-test="roster-confirmed"] [data-test="phone"]')).toContain('13800000001')
  })

  it('导出名单 fetches the workbook as a blob and saves it under its name', async () => {
    const f = api({})
    const blobFetch = async (url, init) => {
      if (String(url).startsWith('http://s3.local/')) return { ok: true, status: 200, blob: async () => new Blob(['xlsx']) }
      return f(url, init)
    }
    vi.stubGlobal('fetch', blobFetch)
    URL.createObjectURL = vi.fn(() => 'blob:roster')
    URL.revokeObjectURL = vi.fn()
    const clicked = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function click() {
      clicked.push({ href: this.getAttribute('href'), download: this.download })
    })
    mountConsole(RosterDrawer, { props: { modelValue: true, call: CALL } })
    await settle()
    document.querySelector('[data-test="export"]').click()
    await settle()
    expect(clicked).toEqual([{ href: 'blob:roster', download: '志愿者名单-为村医招募驾驶员.xlsx' }])
  })

  it('登记时长 posts the hours of the row', async () => {
    const state = {}
    vi.stubGlobal('fetch', api(state))
    vi.spyOn(ElMessageBox, 'prompt').mockResolvedValue({ value: '4' })
    const w = mountConsole(RosterDrawer, { props: { modelValue: true, call: CALL } })
    await settle()
    document.querySelector('[data-test="hours-s2"]').click()
    await settle()
    expect(state.hours).toEqual({ signup: 's2', hours: 4 })
    expect(w.emitted('changed')).toHaveLength(1)
  })
})
