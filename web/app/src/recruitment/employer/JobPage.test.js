// A job's applicants: masked phone until invited, the video résumé inline, 邀请面试 at an Asia/Shanghai time (sent
// with +08:00) → the interview room link, 发录用 with a note, a 409 reloads; the job form: POST with an
// Idempotency-Key, PUT with rev, 409 version_conflict reloads the job and says so.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen } from '../../test-support.js'
import JobPage from './JobPage.vue'
import JobFormPage from './JobFormPage.vue'
import { inviteProblems, shanghaiLocal } from './employer.js'

const C = '330825'
const ME = { tenant: C, user_id: 'u1', name: '钱企业', grants: [{ role: 'employer', place: C }], modules: ['recruitment'],
  permissions: { 'recruitment.hire': [C] } }
const JOB = {
  id: 'j1', title: '包装工', company: '龙游测试食品有限公司', category: '普工', pay_min: 3500, pay_max: 5000,
  township: '330825001', township_name: '东华街道', place: '园区3号厂房', openings: 3, openings_left: 3, applicants: 1,
  shifts: '8:00–17:00', requirements: '身体健康', status: 'open', status_name: '招聘中', created_at: '2026-12-07T02:00:00Z',
  updated_at: '2026-12-07T02:00:00Z', rev: 1, mine: true, applied: null,
}
const app = (status, extra = {}) => ({
  id: 'a1', job: 'j1', title: '包装工', company: '龙游测试食品有限公司', status,
  status_name: { viewed: '已查看', interview: '邀请面试', offered: '已发录用' }[status], cover: null, note: null,
  interview: null, created_at: '2026-12-07T02:10:00Z', updated_at: '2026-12-07T02:10:00Z', ...extra,
})
const applicant = (status, phone, extra) => ({
  application: app(status, extra), name: '求职者', skills: ['叉车'], experience: '在厂里干过三年', townships: [],
  phone, video: { url: 'http://s3.local/v.webm', seconds: 42, uploaded_at: '2026-12-07T01:00:00Z' },
})

const settle = async () => {
  for (let i = 0; i < 8; i++) await flushPromises()
}
function signIn() {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: C, user_id: 'u1' }))
  localStorage.setItem('cqt.me', JSON.stringify(ME))
}

enableAutoUnmount(afterEach)

describe('a job’s applicants', () => {
  beforeEach(() => {
    localStorage.clear()
    signIn()
  })
  afterEach(() => vi.unstubAllGlobals())

  async function open(onInterview) {
    let invited = null
    const fetch = fakeFetch((req) => {
      if (req.path === '/me') return { body: ME }
      if (req.path === '/recruitment/jobs/j1') return { body: JOB }
      if (req.path.startsWith('/recruitment/jobs/j1/applicants')) {
        return { body: { items: [invited ? applicant('interview', '13812345678', { interview: invited.interview })
          : applicant('viewed', '138****5678')], next_cursor: null } }
      }
      if (req.path === '/recruitment/applications/a1/interview') {
        const out = onInterview(req)
        if (out.status === 200) invited = out.body
        return out
      }
      if (req.path === '/recruitment/applications/a1/offer') return { body: app('offered', { note: req.body.note }) }
      return apiError(404, 'not_found', 'x')
    })
    const screen = await mountScreen(JobPage, { path: '/employer/jobs/j1', routes: [{ path: '/employer/jobs/:id' }] })
    await settle()
    return { ...screen, fetch }
  }

  it('shows the applicant with a masked phone and the video inline; invites online at a Shanghai time', async () => {
    const { wrapper, fetch } = await open((req) => ({ status: 200, body: app('interview', {
      interview: { id: 'room1', at: '2026-12-10T01:30:00Z', mode: req.body.mode, address: null } }) }))
    const card = () => wrapper.find('[data-test="applicant-a1"]')
    expect(card().find('[data-test="applicant-name"]').text()).toBe('求职者')
    expect(card().find('[data-test="applicant-status"]').text()).toBe('已查看')
    expect(card().find('[data-test="applicant-phone"]').text()).toBe('138****5678')
    expect(card().find('a[data-test="applicant-phone"]').exists()).toBe(false)
    const video = card().find('video[data-test="applicant-video"]')
    expect(video.attributes()).toMatchObject({ src: 'http://s3.local/v.webm', preload: 'metadata', playsinline: '' })
    expect(video.attributes('controls')).toBeDefined()
    expect(wrapper.find('[data-test="job-openings"]').text()).toBe('剩余3/3人')

    await card().find('[data-test="applicant-invite"]').trigger('click')
    await settle()
    const sheet = document.querySelector('[data-test="invite-sheet"]')
    const at = sheet.querySelector('[data-test="invite-at"]')
    at.value = '2026-12-10T09:30'
    at.dispatchEvent(new Event('input'))
    sheet.querySelector('[data-test="invite-online"]').click()
    await settle()
    sheet.querySelector('form').dispatchEvent(new Event('submit'))
    await settle()
    const sent = fetch.requests().find((r) => r.path === '/recruitment/applications/a1/interview')
    expect(sent.body).toEqual({ at: '2026-12-10T09:30:00+08:00', mode: 'online' })
    // Invited: the phone whole (a tap calls), the interview's time in Shanghai, and the room.
    expect(card().find('[data-test="applicant-status"]').text()).toBe('邀请面试')
    expect(card().find('a[data-test="applicant-phone"]').attributes('href')).toBe('tel:13812345678')
    expect(card().find('[data-test="applicant-interview"]').text()).toContain('2026/12/10 09:30')
    expect(card().find('[data-test="applicant-room"]').attributes('href')).toBe('/interviews/room1')
  })

  it('sends an offer with its note', async () => {
    const { wrapper, fetch } = await open(() => ({ status: 200, body: app('interview') }))
    await wrapper.find('[data-test="applicant-offer"]').trigger('click')
    await settle()
    const sheet = document.querySelector('[data-test="offer-sheet"]')
    const note = sheet.querySelector('[data-test="note-input"] textarea')
    note.value = ' 12月15日8点到厂报到 '
    note.dispatchEvent(new Event('input'))
    sheet.querySelector('form').dispatchEvent(new Event('submit'))
    await settle()
    expect(fetch.requests().find((r) => r.path === '/recruitment/applications/a1/offer').body)
      .toEqual({ note: '12月15日8点到厂报到' })
    expect(wrapper.find('[data-test="applicant-status"]').text()).toBe('已发录用')
    expect(wrapper.find('[data-test="applicant-note"]').text()).toContain('12月15日8点到厂报到')
  })

  it('关闭 asks first, then closes the job; a move made elsewhere meanwhile (409) reloads the applicants', async () => {
    const { wrapper, fetch } = await open(() => apiError(409, 'invalid_state', '当前状态（已录用）不能邀请面试'))
    const base = fetch.getMockImplementation() // the same server, and the close
    fetch.mockImplementation(async (url, init = {}) => (String(url).endsWith('/recruitment/jobs/j1/close')
      ? new Response(JSON.stringify({ ...JOB, status: 'closed', status_name: '已关闭' }), { status: 200 })
      : base(url, init)))
    await wrapper.find('[data-test="job-close"]').trigger('click')
    await settle()
    document.querySelector('.van-dialog__confirm').click()
    await settle()
    expect(fetch.requests().some((r) => r.method === 'POST' && r.path === '/recruitment/jobs/j1/close')).toBe(true)
    expect(wrapper.find('[data-test="job-card"] [data-test="job-status"]').text()).toBe('已关闭')
    expect(wrapper.find('[data-test="job-edit"]').exists()).toBe(false)

    const listed = () => fetch.requests().filter((r) => r.path.startsWith('/recruitment/jobs/j1/applicants')).length
    const before = listed()
    await wrapper.find('[data-test="applicant-invite"]').trigger('click')
    await settle()
    const sheet = document.querySelector('[data-test="invite-sheet"]')
    sheet.querySelector('form').dispatchEvent(new Event('submit'))
    await settle()
    expect(listed()).toBe(before + 1) // reloaded
    expect(document.body.textContent).toContain('当前状态（已录用）不能邀请面试') // the server's words, in a toast
  })

  it('checks the interview on the phone: a time in the future, an address on site', () => {
    const now = new Date('2026-12-07T06:00:00Z') // 14:00 in Shanghai
    expect(shanghaiLocal(now)).toBe('2026-12-07T14:00')
    expect(inviteProblems({ at: '2026-12-07T13:59', mode: 'online' }, now)).toEqual({ at: 'employer.atPast' })
    expect(inviteProblems({ at: '', mode: 'online' }, now)).toEqual({ at: 'employer.atRequired' })
    expect(inviteProblems({ at: '2026-12-08T09:00', mode: 'onsite', address: ' ' }, now))
      .toEqual({ address: 'employer.addressRange' })
    expect(inviteProblems({ at: '2026-12-08T09:00', mode: 'onsite', address: '园区3号厂房' }, now)).toEqual({})
  })
})

describe('the job form', () => {
  beforeEach(() => {
    localStorage.clear()
    signIn()
  })
  afterEach(() => vi.unstubAllGlobals())

  const TOWNS = { items: [{ code: '330825001', name: '东华街道' }, { code: '330825100', name: '湖镇镇' }], next_cursor: null }

  it('posts a new job with an Idempotency-Key, the township picked, and opens it', async () => {
    const fetch = fakeFetch((req) => {
      if (req.path === '/me') return { body: ME }
      if (req.path === '/places/townships') return { body: TOWNS }
      if (req.method === 'POST' && req.path === '/recruitment/jobs') return { status: 201, body: { ...JOB, id: 'j9' } }
      return apiError(404, 'not_found', 'x')
    })
    const { wrapper, router } = await mountScreen(JobFormPage, { path: '/employer/jobs/new',
      routes: [{ path: '/employer/jobs/new' }, { path: '/employer/jobs/:id' }] })
    await settle()
    const set = (name, v) => wrapper.find(`[data-test="${name}"] input, [data-test="${name}"] textarea`).setValue(v)
    await set('job-title-input', '包装工')
    await wrapper.find('[data-test="category-技工"]').trigger('click')
    await set('job-pay-min', '5000')
    await set('job-pay-max', '4000')
    await set('job-place', '园区3号厂房')
    await wrapper.find('[data-test="job-form"]').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="job-pay-max"]').text()).toContain('最高薪资不能低于最低薪资')
    await set('job-pay-max', '6000')
    await wrapper.find('[data-test="job-township"]').trigger('click')
    await settle()
    const item = [...document.querySelectorAll('.van-action-sheet__item')].find((b) => b.textContent.includes('湖镇镇'))
    item.click()
    await settle()
    await wrapper.find('[data-test="job-form"]').trigger('submit')
    await settle()
    const post = fetch.requests().find((r) => r.method === 'POST' && r.path === '/recruitment/jobs')
    expect(post.body).toEqual({ title: '包装工', category: '技工', pay_min: 5000, pay_max: 6000, township: '330825100',
      place: '园区3号厂房', shifts: '', requirements: '', openings: 1 })
    expect(post.headers['Idempotency-Key']).toBeTruthy()
    expect(router.currentRoute.value.path).toBe('/employer/jobs/j9')
  })

  it("offers 全县 and the county's townships (GET /places/townships, open to employers)", async () => {
    fakeFetch((req) => {
      if (req.path === '/me') return { body: ME }
      if (req.path === '/places/townships') return { body: TOWNS }
      return apiError(404, 'not_found', 'x')
    })
    const { wrapper } = await mountScreen(JobFormPage, { path: '/employer/jobs/new', routes: [{ path: '/employer/jobs/new' }] })
    await settle()
    expect(wrapper.find('[data-test="job-township"] input').element.value).toBe('全县') // the default
    await wrapper.find('[data-test="job-township"]').trigger('click')
    await settle()
    const names = [...document.querySelectorAll('.van-action-sheet__item')].map((b) => b.textContent.trim())
    expect(names).toEqual(['全县', '东华街道', '湖镇镇'])
  })

  it('edits with the rev read; a version conflict reloads the job and says so', async () => {
    let rev = 1
    const fetch = fakeFetch((req) => {
      if (req.path === '/me') return { body: ME }
      if (req.path === '/places/townships') return { body: TOWNS }
      if (req.method === 'GET' && req.path === '/recruitment/jobs/j1') return { body: { ...JOB, rev, openings: rev === 1 ? 3 : 5 } }
      if (req.method === 'PUT' && req.path === '/recruitment/jobs/j1') {
        rev = 2 // someone else saved first
        return apiError(409, 'version_conflict', '岗位已被修改，请刷新后重试')
      }
      return apiError(404, 'not_found', 'x')
    })
    const { wrapper } = await mountScreen(JobFormPage, { path: '/employer/jobs/j1/edit',
      routes: [{ path: '/employer/jobs/:id/edit' }, { path: '/employer/jobs/:id' }] })
    await settle()
    expect(wrapper.find('[data-test="job-title-input"] input').element.value).toBe('包装工')
    expect(wrapper.find('[data-test="job-township"] input').element.value).toBe('东华街道')
    await wrapper.find('[data-test="job-place"] input').setValue('园区5号厂房')
    await wrapper.find('[data-test="job-form"]').trigger('submit')
    await settle()
    const put = fetch.requests().find((r) => r.method === 'PUT')
    expect(put.body).toMatchObject({ rev: 1, place: '园区5号厂房', township: '330825001', openings: 3 })
    expect(wrapper.find('[data-test="job-conflict"]').text()).toBe('岗位已被修改，请刷新后重试')
    expect(wrapper.find('[data-test="job-place"] input').element.value).toBe('园区3号厂房') // the server's, reloaded
    expect(wrapper.find('[data-test="job-openings"] input').element.value).toBe('5')
  })
})
