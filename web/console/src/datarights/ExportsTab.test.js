import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, mountConsole } from '../common/testing.js'
import ExportsTab from './ExportsTab.vue'
import { POLL_MS } from './dataRights.js'

const exp = (id, status, progress, extra = {}) => ({ id, status, status_name: { queued: '排队中', running: '导出中',
  done: '已完成', failed: '失败' }[status], progress, requested_by: 'u1', requested_by_name: '吴县管',
  created_at: '2026-03-01T02:00:00Z', started_at: null, finished_at: status === 'done' ? '2026-03-01T02:01:00Z' : null,
  size_bytes: status === 'done' ? 2048 : null, counts: null, message: null, url: null, url_expires_in: null,
  filename: null, ...extra })

const settle = async () => {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0)
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] }))
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('数据导出', () => {
  it('asks with an Idempotency-Key, polls the list while it runs and stops once it is done', async () => {
    const states = [[exp('e1', 'queued', 0)], [exp('e1', 'running', 45)], [exp('e1', 'done', 100)]]
    let listed = 0
    const fetch = fakeFetch([
      ['POST', '/api/datarights/exports', { status: 201, body: exp('e1', 'queued', 0) }],
      ['GET', '/api/datarights/exports?', () => {
        listed += 1
        return { body: { items: listed === 1 ? [] : states[Math.min(listed - 2, 2)] } }
      }],
    ])
    vi.stubGlobal('fetch', fetch)
    const w = mountConsole(ExportsTab)
    await settle()
    expect(listed).toBe(1)
    expect(w.text()).toContain('还没有导出过数据')

    await w.find('[data-test=request-export]').trigger('click')
    await settle()
    const post = fetch.calls.find((c) => c.method === 'POST')
    expect(post.init.headers['Idempotency-Key'] || post.init.headers.get?.('Idempotency-Key')).toBeTruthy()
    expect(w.find('[data-test=export-progress]').exists()).toBe(true)
    expect(w.find('[data-test=request-export]').attributes('disabled')).toBeDefined() // one at a time

    await vi.advanceTimersByTimeAsync(POLL_MS)
    await settle()
    expect(listed).toBe(2) // queued
    await vi.advanceTimersByTimeAsync(POLL_MS)
    await settle()
    expect(listed).toBe(3) // running 45%
    expect(w.find('[data-test=export-progress]').text()).toContain('导出中')
    await vi.advanceTimersByTimeAsync(POLL_MS)
    await settle()
    expect(listed).toBe(4) // done: polling stops
    expect(w.find('[data-test=export-progress]').exists()).toBe(false)
    expect(w.find('[data-test=export-status]').text()).toBe('已完成')
    expect(w.find('[data-test=download]').exists()).toBe(true)
    await vi.advanceTimersByTimeAsync(POLL_MS * 5)
    await settle()
    expect(listed).toBe(4)
    // the list, not the export itself, is polled: GET /datarights/exports/{id} would write a download in the audit log
    expect(fetch.calls.some((c) => c.url.includes('/datarights/exports/e1'))).toBe(false)
    w.unmount()
  })

  it('an export already under way when the tab opens is watched; a failed one stops the polling too', async () => {
    let listed = 0
    vi.stubGlobal('fetch', fakeFetch([
      ['GET', '/api/datarights/exports?', () => {
        listed += 1
        return { body: { items: [listed === 1 ? exp('e2', 'running', 80)
          : exp('e2', 'failed', 80, { message: '导出失败，请重新申请' })] } }
      }],
    ]))
    const w = mountConsole(ExportsTab)
    await settle()
    expect(w.find('[data-test=export-progress]').exists()).toBe(true)
    await vi.advanceTimersByTimeAsync(POLL_MS)
    await settle()
    expect(listed).toBe(2)
    expect(w.text()).toContain('导出失败，请重新申请')
    await vi.advanceTimersByTimeAsync(POLL_MS * 4)
    await settle()
    expect(listed).toBe(2)
    w.unmount()
  })
})
