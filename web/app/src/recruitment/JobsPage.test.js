import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch } from '../test-support.js'
import JobsPage from './JobsPage.vue'
import JobPage from './JobPage.vue'
import { JOB, JOB_SUMMARIES, open, settle, signedIn } from './test-data.js'

enableAutoUnmount(afterEach)

describe('智慧招聘: the jobs and one job', () => {
  beforeEach(() => signedIn())
  afterEach(() => vi.unstubAllGlobals())

  it('lists open jobs with pay, place and openings; filters by category and township; links to employers', async () => {
    const fetch = fakeFetch((req) => {
      if (req.path === '/places/townships') return { body: { items: [{ code: '330825001', name: '东华街道' }] } }
      if (req.path.startsWith('/recruitment/jobs')) {
        const q = new URL(req.path, 'http://x').searchParams
        const items = JOB_SUMMARIES.filter((j) => !q.get('category') || j.category === q.get('category'))
        return { body: { items, next_cursor: null } }
      }
      return apiError(404, 'not_found', '没有')
    })
    const { wrapper, router } = await open(JobsPage, '/jobs')
    const rows = wrapper.findAll('[data-test="job"]')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('食品包装工')
    expect(rows[0].find('[data-test="job-pay"]').text()).toBe('3800–5200元/月')
    expect(rows[0].find('[data-test="job-place"]').text()).toBe('东华街道 · 龙游工业园区兴业路8号')
    expect(rows[0].find('[data-test="job-openings"]').text()).toBe('招10人')
    expect(rows[1].find('[data-test="job-place"]').text()).toBe('全县 · 全县各乡镇配送')
    expect(rows[0].attributes('href')).toBe('/jobs/j1')
    expect(wrapper.find('[data-test="to-employer"]').attributes('href')).toBe('/employer')
    // 全部乡镇, 全县 (the county's code), then the county's townships (GET /places/townships)
    const options = wrapper.findAll('[data-test="township"] option').map((o) => [o.attributes('value'), o.text()])
    expect(options).toEqual([['', '全部乡镇'], ['330825', '全县'], ['330825001', '东华街道']])

    await wrapper.findAll('[data-test="category"]').find((c) => c.text() === '物流').trigger('click')
    await settle()
    expect(wrapper.findAll('[data-test="job"]').map((r) => r.find('.job-row__title').text())).toEqual(['冷链配送员'])
    expect(router.currentRoute.value.query).toEqual({ category: '物流' })
    await wrapper.find('[data-test="township"]').setValue('330825')
    await settle()
    const last = fetch.requests().filter((r) => r.path.startsWith('/recruitment/jobs?')).at(-1).path
    expect(new URL(last, 'http://x').searchParams.get('township')).toBe('330825')
    expect(new URL(last, 'http://x').searchParams.get('category')).toBe('物流')
  })

  it('says when no job matches, and shows a refusal as the server words it', async () => {
    fakeFetch((req) => (req.path.startsWith('/recruitment/jobs')
      ? apiError(403, 'module_disabled', '本县未开通智慧招聘') : { body: { items: [], next_cursor: null } }))
    const { wrapper } = await open(JobsPage, '/jobs?category=技工')
    expect(wrapper.find('[role="alert"]').text()).toContain('本县未开通智慧招聘')
    expect(wrapper.find('[data-test="category"][aria-pressed="true"]').text()).toBe('技工')
  })

  it('applies with a 求职留言 under one Idempotency-Key, then shows 已投递', async () => {
    let applied = null
    const fetch = fakeFetch((req) => {
      if (req.method === 'GET' && req.path === '/recruitment/jobs/j1') return { body: { ...JOB, applied } }
      if (req.method === 'POST' && req.path === '/recruitment/jobs/j1/applications') {
        applied = 'a9'
        return { status: 201, body: { id: 'a9', status: 'submitted' } }
      }
      return apiError(404, 'not_found', '没有')
    })
    const { wrapper } = await open(JobPage, '/jobs/j1')
    expect(wrapper.find('[data-test="job-title"]').text()).toBe('食品包装工')
    expect(wrapper.find('[data-test="job-openings"]').text()).toBe('7 / 10')
    expect(wrapper.find('[data-test="job-requirements"]').text()).toContain('18–50岁')
    await wrapper.find('[data-test="cover"]').setValue('  下周一可以到岗  ')
    await wrapper.find('[data-test="apply"]').trigger('click')
    await settle()
    const post = fetch.requests().find((r) => r.method === 'POST')
    expect(post.body).toEqual({ note: '下周一可以到岗' })
    expect(post.headers['Idempotency-Key']).toBeTruthy()
    expect(wrapper.find('[data-test="applied"]').text()).toBe('已投递')
    expect(wrapper.find('[data-test="cover"]').exists()).toBe(false)
  })

  it('without a profile leads to 求职资料 and back; other refusals are shown as they are', async () => {
    let answer = apiError(422, 'profile_required', '请先填写求职资料')
    fakeFetch((req) => (req.method === 'GET' ? { body: JOB } : answer))
    const { wrapper, router } = await open(JobPage, '/jobs/j1')
    await wrapper.find('[data-test="apply"]').trigger('click')
    await settle()
    expect(router.currentRoute.value.name).toBe('jobs-profile')
    expect(router.currentRoute.value.query.next).toBe('/jobs/j1')
    wrapper.unmount()

    answer = apiError(409, 'job_full', '岗位已招满')
    const again = await open(JobPage, '/jobs/j1')
    await again.wrapper.find('[data-test="apply"]').trigger('click')
    await settle()
    expect(again.wrapper.find('[role="alert"]').text()).toContain('岗位已招满')
  })

  it('a closed job cannot be applied to; an applied one says 已投递 with a link to 我的投递', async () => {
    fakeFetch(() => ({ body: { ...JOB, status: 'closed', status_name: '已关闭' } }))
    let { wrapper } = await open(JobPage, '/jobs/j1')
    expect(wrapper.find('[data-test="apply"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-test="apply"]').text()).toBe('已关闭')
    wrapper.unmount()
    fakeFetch(() => ({ body: { ...JOB, applied: 'a1' } }))
    ;({ wrapper } = await open(JobPage, '/jobs/j1'))
    expect(wrapper.find('[data-test="applied"]').text()).toBe('已投递')
    expect(wrapper.find('[data-test="to-mine"]').attributes('href')).toBe('/jobs/mine')
  })
})
