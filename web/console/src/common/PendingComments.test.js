// The shared table of comments awaiting a decision: a reply is marked 回复; 隐藏 sends the decision and the list
// reloads without it; a comment decided meanwhile (409) only warns and reloads; another failure is said in an alert.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@shared/api.js'
import { flush, mountConsole } from './testing.js'
import { useCursorPages } from './useCursorPages.js'
import PendingComments from './PendingComments.vue'

afterEach(() => {
  document.body.innerHTML = ''
})
const settle = async () => {
  for (let i = 0; i < 20; i++) await flush()
}
const ROOT = { id: 'v1-1', parent: null, name: '黄*', text: '讲得很实用', status: 'pending', mine: false,
  created_at: '2026-12-07T04:00:00Z' }
const REPLY = { ...ROOT, id: 'v1-1-2', parent: 'v1-1', name: '李*', text: '请问何时有下一讲' }

async function mounted(state, decide) {
  const loads = { n: 0 }
  const pages = useCursorPages(async () => {
    loads.n += 1
    return { items: state.items, next_cursor: null }
  })
  const w = mountConsole(PendingComments, { props: { pages, decide } })
  await pages.first()
  await settle()
  return { w, loads }
}

describe('PendingComments', () => {
  it('marks replies and hides a comment: the decision is sent and the list reloads without it', async () => {
    const state = { items: [ROOT, REPLY] }
    const sent = []
    const { w, loads } = await mounted(state, async (row, action) => {
      sent.push([row.id, action])
      state.items = state.items.filter((x) => x.id !== row.id)
    })
    const table = w.find('[data-test=pending-comments]')
    expect(table.text()).toContain('讲得很实用')
    expect(w.find('[data-test="comment-text-v1-1-2"]').element.parentElement.textContent).toContain('回复')
    expect(w.find('[data-test="comment-text-v1-1"]').element.parentElement.textContent).not.toContain('回复')
    await w.find('[data-test="comment-hide-v1-1-2"]').trigger('click')
    await settle()
    expect(sent).toEqual([['v1-1-2', 'hide']])
    expect(loads.n).toBe(2)
    expect(w.find('[data-test=pending-comments]').text()).not.toContain('请问何时有下一讲')
  })

  it('a comment decided meanwhile (409) only warns and reloads; another failure is said in an alert', async () => {
    const state = { items: [ROOT] }
    let fail = new ApiError(409, { code: 'version_conflict', message: '该评论刚被他人处理，请刷新后重试' })
    const { w, loads } = await mounted(state, async () => {
      throw fail
    })
    await w.find('[data-test="comment-approve-v1-1"]').trigger('click')
    await settle()
    expect(loads.n).toBe(2)
    expect(w.find('.el-alert').exists()).toBe(false)
    fail = new ApiError(403, { code: 'forbidden_scope', message: '无权审核该评论' })
    await w.find('[data-test="comment-approve-v1-1"]').trigger('click')
    await settle()
    expect(loads.n).toBe(2)
    expect(w.find('.el-alert').text()).toContain('无权审核该评论')
  })
})
