import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, flush, mountConsole } from '../common/testing.js'
import HouseholdDrawer from './HouseholdDrawer.vue'
import PeopleSearch from './PeopleSearch.vue'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

async function settle() {
  for (let i = 0; i < 10; i++) await flush()
}

const PERSON = { id: 'm1', name: '王建国', relation: '户主', id_number: '330825********0011', phone: '138****0000',
  party_member: false, outside_person: false, from_place: null, pii_masked: true,
  household: { id: 'h1', ref: '330825001201-0021', address: '张王村21号', head_name: '王建国' },
  grid: '330825001201G01', grid_name: '张王村第一网格', village: '330825001201', village_name: '张王村',
  township: '330825001', township_name: '东华街道' }

describe('PeopleSearch', () => {
  it('finds people across the scope and shows places by name; opening one opens its household', async () => {
    const f = fakeFetch([['GET', '/api/members?', { body: { items: [PERSON], next_cursor: null } }]])
    vi.stubGlobal('fetch', f)
    const w = mountConsole(PeopleSearch)
    await w.find('input').setValue(' 王建国 ')
    await w.find('form').trigger('submit')
    await settle()
    expect(f.calls[0].url).toContain(`q=${encodeURIComponent('王建国')}`)
    const text = w.find('.people__table').text()
    for (const s of ['王建国', '330825********0011', '张王村21号', '东华街道 张王村', '张王村第一网格']) {
      expect(text).toContain(s)
    }
    expect(text).not.toContain('330825001201G01')
    await w.find('.people__table button').trigger('click')
    expect(w.emitted('open')).toEqual([['h1']])
    w.unmount()
  })

  it('shows the reason when the number is not whole', async () => {
    vi.stubGlobal('fetch', fakeFetch([['GET', '/api/members?', { status: 422, body: { error: {
      code: 'validation_failed', message: '提交的内容不符合要求',
      details: [{ field: 'q', code: 'partial_number', message: '请输入完整的18位身份证号或11位手机号，号码不支持部分搜索' }] } } }]]))
    const w = mountConsole(PeopleSearch)
    await w.find('input').setValue('3308251980')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.text()).toContain('号码不支持部分搜索')
    w.unmount()
  })
})

describe('HouseholdDrawer', () => {
  it("shows today's report and every member's colour", async () => {
    const hh = { id: 'h1', grid: '330825001201G01', village: '330825001201', address: '张王村21号', head_name: '王建国',
      ref: '330825001201-0021', member_count: 2, follower_count: 1, created_at: '', updated_at: '',
      members: [{ ...PERSON, id: 'm1' }, { ...PERSON, id: 'm2', name: '李秀英', relation: '配偶' }] }
    vi.stubGlobal('fetch', fakeFetch([
      ['GET', '/api/households/h1', { body: hh }],
      ['GET', '/api/places/330825001201G01', { body: { code: '330825001201G01', name: '张王村第一网格' } }],
      ['GET', '/api/places/330825001201', { body: { code: '330825001201', name: '张王村' } }],
      ['GET', '/api/reports/today?household=h1', { body: { date: '2024-06-01', cutoff: '10:00', report: {
        submitted_at: '2024-06-01T00:30:00Z', by_name: '汪专网', proxy: true, level: 'yellow',
        members: [{ member: 'm1', name: '王建国', colour: 'green' }, { member: 'm2', name: '李秀英', colour: 'yellow' }] } } }],
    ]))
    const w = mountConsole(HouseholdDrawer, { props: { id: 'h1' } })
    await settle()
    const body = document.body.textContent
    expect(body).toContain('张王村第一网格')
    expect(body).toContain('已报')
    expect(body).toContain('代报')
    expect(body).toContain('08:30 由 汪专网 填报')
    const colours = [...document.querySelectorAll('[data-colour]')].map((e) => [e.dataset.colour, e.textContent.trim()])
    expect(colours).toEqual([['green', '绿码'], ['yellow', '黄码']])
    w.unmount()
  })

  it('says so when the household has not reported', async () => {
    vi.stubGlobal('fetch', fakeFetch([
      ['GET', '/api/households/h2', { body: { id: 'h2', grid: 'G', village: 'V', address: 'a', head_name: 'b',
        ref: null, member_count: 0, follower_count: 0, created_at: '', updated_at: '', members: [] } }],
      ['GET', '/api/places/', { status: 404, body: { error: { code: 'not_found', message: '找不到' } } }],
      ['GET', '/api/reports/today?household=h2', { body: { date: '2024-06-01', cutoff: '10:00', report: null } }],
    ]))
    const w = mountConsole(HouseholdDrawer, { props: { id: 'h2' } })
    await settle()
    expect(document.querySelector('[data-test="today-report"]').textContent).toContain('今日尚未上报（截止 10:00）')
    w.unmount()
  })
})
