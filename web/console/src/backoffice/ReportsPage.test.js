import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, mountConsole, nativeSelects } from '../common/testing.js'
import ReportsPage from './ReportsPage.vue'
import { currentQuarter } from './quality.js'

const resolve = vi.fn(() => ({ href: '/console/backoffice/reports/r1/print' }))
vi.mock('vue-router', async (original) => ({ ...(await original()), useRouter: () => ({ resolve }) }))
vi.mock('@shared/download.js', () => ({ download: vi.fn(async () => {}) }))

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

const Q = currentQuarter()
const report = (id, status, progress, over = {}) => ({
  id, quarter: Q, status, status_name: { queued: '排队中', running: '生成中', done: '已完成', failed: '生成失败' }[status],
  progress, message: null, created_at: '2026-12-07T02:00:00Z', created_by_name: '何组织', started_at: null,
  finished_at: null, url: null, filename: null, ...over })
const OLD = report('r0', 'done', 100, { quarter: '2026-Q3', finished_at: '2026-10-08T02:00:00Z' })

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms)
const polls = (fetch) => fetch.calls.filter((c) => c.method === 'GET' && c.url.includes('/backoffice/reports/r1'))

async function opened(answers) {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  let n = 0
  const fetch = fakeFetch([
    ['POST', '/backoffice/reports', { status: 201, body: report('r1', 'queued', 0) }],
    ['GET', '/backoffice/reports/r1', () => ({ body: answers[Math.min(n++, answers.length - 1)] })],
    ['GET', '/backoffice/reports?', { body: { items: [OLD], next_cursor: null } }],
  ])
  vi.stubGlobal('fetch', fetch)
  const w = mountConsole(ReportsPage, { stubs: nativeSelects })
  await tick()
  return { w, fetch }
}

describe('季度党建报表', () => {
  it('generates the quarter\'s report, polls every 1.5 s until it is done, then stops', async () => {
    const done = report('r1', 'done', 100, { url: 'https://s3.local/r1.xlsx', filename: `季度党建报表-${Q}.xlsx`,
      finished_at: '2026-12-07T02:00:03Z' })
    const { w, fetch } = await opened([report('r1', 'running', 50), done])
    expect(w.find('[data-test=reports-table]').text()).toContain('2026年第3季度')
    expect(w.find('[data-test=reports-table]').text()).toContain('已完成')

    await w.find('[data-test=generate]').trigger('click')
    await tick()
    const post = fetch.calls.find((c) => c.method === 'POST')
    expect(JSON.parse(post.init.body)).toEqual({ quarter: Q })
    expect(post.init.headers['Idempotency-Key']).toBeTruthy()
    expect(w.find('[data-test=current-status]').text()).toBe('排队中')
    expect(polls(fetch)).toHaveLength(0)

    await tick(1500)
    expect(polls(fetch)).toHaveLength(1)
    expect(w.find('[data-test=current-status]').text()).toBe('生成中')
    expect(w.find('[data-test=progress]').text()).toContain('50%')
    expect(w.find('[data-test=generate]').attributes('disabled')).toBeDefined() // one at a time

    await tick(1500)
    expect(polls(fetch)).toHaveLength(2)
    expect(w.find('[data-test=current-status]').text()).toBe('已完成')
    expect(w.find('[data-test=progress]').text()).toContain('100%')
    expect(w.find('[data-test=download]').exists()).toBe(true)
    const rows = w.findAll('[data-test=reports-table] .el-table__body tr')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('已完成') // the new report on top, from the polls: no list reload
    expect(fetch.calls.filter((c) => c.url.includes('/backoffice/reports?'))).toHaveLength(1)

    await tick(10_000)
    expect(polls(fetch)).toHaveLength(2) // stopped
    expect(w.find('[data-test=generate]').attributes('disabled')).toBeUndefined()
  })

  it('downloads with a fresh link each click, under the report\'s own name', async () => {
    const { download } = await import('@shared/download.js')
    const done = (n) => report('r1', 'done', 100, { url: `https://s3.local/r1.xlsx?sig=${n}`,
      filename: `季度党建报表-${Q}.xlsx` })
    const { w, fetch } = await opened([done(1), done(2), done(3)])
    await w.find('[data-test=generate]').trigger('click')
    await tick(1500)
    await w.find('[data-test=download]').trigger('click')
    await tick()
    await w.find('[data-test=download]').trigger('click')
    await tick()
    expect(polls(fetch)).toHaveLength(3)
    expect(download.mock.calls).toEqual([['https://s3.local/r1.xlsx?sig=2', `季度党建报表-${Q}.xlsx`],
      ['https://s3.local/r1.xlsx?sig=3', `季度党建报表-${Q}.xlsx`]])
  })

  it('a failed report says why and polling stops', async () => {
    const failed = report('r1', 'failed', 10, { message: '报表生成失败，请重新生成' })
    const { w, fetch } = await opened([failed])
    await w.find('[data-test=generate]').trigger('click')
    await tick(1500)
    expect(w.find('[data-test=current-status]').text()).toBe('生成失败')
    expect(w.find('[data-test=current]').text()).toContain('报表生成失败，请重新生成')
    await tick(6000)
    expect(polls(fetch)).toHaveLength(1)
    expect(w.find('[data-test=download]').exists()).toBe(false)
  })

  it('a report still being made when the page opens is watched', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const fetch = fakeFetch([
      ['GET', '/backoffice/reports/r1', { body: report('r1', 'done', 100, { url: 'u', filename: 'f.xlsx' }) }],
      ['GET', '/backoffice/reports?', { body: { items: [report('r1', 'running', 30), OLD], next_cursor: null } }],
    ])
    vi.stubGlobal('fetch', fetch)
    const w = mountConsole(ReportsPage, { stubs: nativeSelects })
    await tick()
    expect(w.find('[data-test=current-status]').text()).toBe('生成中')
    await tick(1500)
    expect(w.find('[data-test=current-status]').text()).toBe('已完成')
    await tick(5000)
    expect(polls(fetch)).toHaveLength(1)
  })

  it('the server\'s refusal is shown in its words', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    vi.stubGlobal('fetch', fakeFetch([
      ['POST', '/backoffice/reports', { status: 429, body: { error: { code: 'rate_limited',
        message: '今天生成的报表已达上限，请明天再试', details: null } } }],
      ['GET', '/backoffice/reports?', { body: { items: [], next_cursor: null } }],
    ]))
    const w = mountConsole(ReportsPage, { stubs: nativeSelects })
    await tick()
    expect(w.find('[data-test=reports-table]').text()).toContain('还没有生成过报表')
    await w.find('[data-test=generate]').trigger('click')
    await tick()
    expect(w.find('[role=alert]').text()).toContain('今天生成的报表已达上限，请明天再试')
    expect(w.find('[data-test=current]').exists()).toBe(false)
  })
})
