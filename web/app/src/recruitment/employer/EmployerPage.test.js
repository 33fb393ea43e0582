// 企业招聘: the application (one Idempotency-Key per submission, the licence's check as the server answers it),
// 待审核 / 未通过 (reason, apply again), and 已认证: the token refreshed so it carries the role, /me read again, 我的岗位.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../../test-support.js'
import EmployerPage from './EmployerPage.vue'

const C = '330825'
const G = '330825001201G01'
const VILLAGER = {
  tenant: C, user_id: 'u1', name: '钱老板', grants: [{ role: 'villager', place: G, household: 'h1' }],
  modules: ['recruitment'], permissions: { 'recruitment.seek': [G] },
}
const EMPLOYER = { ...VILLAGER, grants: [...VILLAGER.grants, { role: 'employer', place: C }],
  permissions: { ...VILLAGER.permissions, 'recruitment.hire': [C] } }
const LICENCE = '91330825MA2XXXXX0X'
const account = (status, extra = {}) => ({
  id: 'e1', company: '龙游测试食品有限公司', licence_no: LICENCE, contact_name: '钱经理', address: '龙游县工业园区1号',
  intro: '', status, status_name: { pending: '待审核', verified: '已认证', refused: '未通过' }[status], reason: null,
  created_at: '2026-12-07T02:00:00Z', decided_at: null, ...extra,
})
const JOB = {
  id: 'j1', title: '包装工', company: '龙游测试食品有限公司', category: '普工', pay_min: 3500, pay_max: 5000,
  township: null, township_name: null, place: '园区3号厂房', openings: 3, openings_left: 2, applicants: 4,
  status: 'open', status_name: '招聘中', created_at: '2026-12-07T02:00:00Z',
}

const settle = async () => {
  for (let i = 0; i < 8; i++) await flushPromises()
}

function server({ mine, me = VILLAGER, post, refresh }) {
  const state = { mine, me }
  const fetch = fakeFetch((req) => {
    if (req.path === '/me') return { body: state.me }
    if (req.path === '/recruitment/employers/mine') return { body: { employer: state.mine } }
    if (req.method === 'POST' && req.path === '/recruitment/employers') return post(req)
    if (req.path === '/auth/refresh') return refresh(req, state)
    if (req.path.startsWith('/recruitment/jobs/mine')) return { body: { items: [JOB], next_cursor: null } }
    return apiError(404, 'not_found', 'x')
  })
  return { fetch, state }
}

async function open(opts) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: C, user_id: 'u1' }))
  const s = server(opts)
  const screen = await mountScreen(EmployerPage, { path: '/employer', routes: [{ path: '/employer' }] })
  await settle()
  return { ...screen, ...s }
}

async function fill(wrapper, values) {
  for (const [name, v] of Object.entries(values)) {
    const input = wrapper.find(`[data-test="employer-${name}"] input, [data-test="employer-${name}"] textarea`)
    await input.setValue(v)
  }
}
const posts = (fetch) => fetch.requests().filter((r) => r.method === 'POST' && r.path === '/recruitment/employers')

enableAutoUnmount(afterEach)

describe('企业招聘: the employer account', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  it('applies with one Idempotency-Key for a retry, shows the licence check as the server says, then 待审核', async () => {
    let n = 0
    const { wrapper, fetch } = await open({
      mine: null,
      post: (req) => {
        n += 1
        if (n === 1) {
          return apiError(422, 'validation_failed', '请检查填写的内容', [
            { field: 'licence_no', code: 'value_error', message: '统一社会信用代码不正确（请核对18位代码）' }])
        }
        if (n === 2) return offline()
        return { status: 201, body: account('pending', { licence_no: req.body.licence_no }) }
      },
    })
    expect(wrapper.find('[data-test="employer-form"]').exists()).toBe(true)
    // Nothing goes out while a field is plainly wrong.
    await fill(wrapper, { company: '龙游测试食品有限公司', licence: '9133', contact: '钱经理', address: '龙游县工业园区1号' })
    await wrapper.find('[data-test="employer-form"]').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="employer-licence"]').text()).toContain('应为18位')
    expect(posts(fetch)).toHaveLength(0)

    await fill(wrapper, { licence: '91330825ma2xxxxx0y' })
    await wrapper.find('[data-test="employer-form"]').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="employer-licence"]').text()).toContain('统一社会信用代码不正确（请核对18位代码）')
    expect(posts(fetch)[0].body.licence_no).toBe('91330825MA2XXXXX0Y') // sent in capitals

    await fill(wrapper, { licence: LICENCE })
    await wrapper.find('[data-test="employer-form"]').trigger('submit')
    await settle()
    expect(wrapper.find('.error-block').text()).toContain('网络')
    await wrapper.find('[data-test="employer-form"]').trigger('submit')
    await settle()
    const [first, second, third] = posts(fetch)
    expect(third.body).toEqual({ company: '龙游测试食品有限公司', licence_no: LICENCE, contact_name: '钱经理',
      address: '龙游县工业园区1号', intro: '' })
    expect(second.headers['Idempotency-Key']).toBeTruthy()
    expect(third.headers['Idempotency-Key']).toBe(second.headers['Idempotency-Key']) // the same submission
    expect(first.headers['Idempotency-Key']).not.toBe(second.headers['Idempotency-Key']) // another body
    expect(wrapper.find('[data-test="employer-status"]').text()).toBe('待审核')
  })

  it('shows the county’s reason for a refusal and applies again from the answers sent', async () => {
    const { wrapper, fetch } = await open({
      mine: account('refused', { reason: '营业执照信息与企业名称不符', decided_at: '2026-12-07T03:00:00Z' }),
      post: (req) => ({ status: 201, body: account('pending', req.body) }),
    })
    expect(wrapper.find('[data-test="employer-status"]').text()).toBe('未通过')
    expect(wrapper.find('[data-test="employer-reason"]').text()).toContain('营业执照信息与企业名称不符')
    await wrapper.find('[data-test="employer-apply-again"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="employer-company"] input').element.value).toBe('龙游测试食品有限公司')
    await fill(wrapper, { company: '龙游测试食品厂' })
    await wrapper.find('[data-test="employer-form"]').trigger('submit')
    await settle()
    expect(posts(fetch)[0].body.company).toBe('龙游测试食品厂')
    expect(wrapper.find('[data-test="employer-pending"]').exists()).toBe(true)
  })

  it('once verified, refreshes the token to carry the role, reads /me again and shows 我的岗位', async () => {
    const { wrapper, fetch } = await open({
      mine: account('verified', { decided_at: '2026-12-07T03:00:00Z' }),
      refresh: (req, state) => {
        state.me = EMPLOYER // the new token carries the employer role
        return { body: { access_token: 'a2', refresh_token: 'r2', expires_in: 900 } }
      },
    })
    const asked = fetch.requests().map((r) => `${r.method} ${r.path}`)
    expect(asked).toContain('POST /auth/refresh')
    expect(fetch.requests().find((r) => r.path === '/auth/refresh').body).toEqual({ refresh_token: 'r' })
    expect(asked.lastIndexOf('GET /me')).toBeGreaterThan(asked.indexOf('POST /auth/refresh'))
    expect(JSON.parse(localStorage.getItem('cqt.session')).access_token).toBe('a2')
    expect(wrapper.find('[data-test="my-jobs"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="job-j1"] [data-test="job-openings"]').text()).toBe('剩余2/3人')
    expect(wrapper.find('[data-test="job-j1"] [data-test="job-applicants"]').text()).toBe('投递4人')
    expect(wrapper.find('[data-test="job-j1"] [data-test="job-status"]').text()).toBe('招聘中')
  })

  it('an employer whose token already carries the role goes straight to 我的岗位', async () => {
    localStorage.setItem('cqt.me', JSON.stringify(EMPLOYER))
    const { wrapper, fetch } = await open({ mine: account('verified'), me: EMPLOYER })
    expect(fetch.requests().some((r) => r.path === '/auth/refresh')).toBe(false)
    expect(wrapper.find('[data-test="job-new"]').exists()).toBe(true)
  })
})
