// 党员先锋审核: the village's pending deeds → 通过 / 不通过 (with the reason asked in a prompt; cancelled: nothing
// sent); pending comments → 通过 / 隐藏; a deed decided meanwhile (409) only warns. 积分规则: saved with the version.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { ElMessageBox } from 'element-plus'
import { useAuth } from '../auth/store.js'
import { fakeFetch, flush, mountConsole, nativeSelects } from '../common/testing.js'
import { clearPlaceCache } from '../places/placeCache.js'
import RulesPage from './RulesPage.vue'
import VanguardPage from './VanguardPage.vue'
import { correctionProblems } from './vanguardApi.js'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  clearPlaceCache()
  document.body.innerHTML = ''
})
const settle = async () => {
  for (let i = 0; i < 20; i++) await flush()
}
const VILLAGE = '330825001201'
const DEED = { id: 'd1', text: '帮五保户修缮屋顶', photos: [], author: { id: 'p1', name: '余党员' }, village: VILLAGE,
  village_name: '张王村', status: 'pending', reason: null, created_at: '2026-12-07T02:00:00Z', decided_at: null,
  points: null, likes: 0, liked_by_me: false }
const COMMENT = { id: 'c1', deed: 'd1', name: '黄*', text: '向党员学习', status: 'pending', mine: false,
  created_at: '2026-12-07T04:00:00Z' }

function api(state) {
  return fakeFetch([
    ['GET', '/api/places/', { body: { code: VILLAGE, name: '张王村', level: 'village', parent: '330825001' } }],
    ['GET', '/vanguard/deeds/pending', () => ({ body: { items: state.deeds, next_cursor: null } })],
    ['GET', '/vanguard/comments/pending', () => ({ body: { items: state.comments, next_cursor: null } })],
    ['POST', '/comments/c1/decision', (url, init) => {
      state.moderation = JSON.parse(init.body)
      state.comments = []
      return { body: { ...COMMENT, status: 'approved' } }
    }],
    ['POST', '/vanguard/deeds/d1/decision', (url, init) => {
      if (state.conflict) return { status: 409, body: { error: { code: 'already_decided', message: '该实事已审核' } } }
      state.decision = JSON.parse(init.body)
      state.deeds = []
      return { body: { ...DEED, status: 'approved' } }
    }],
  ])
}
function mountAs(component, permissions) {
  const pinia = createPinia()
  useAuth(pinia).me = { tenant: '330825', grants: [], permissions }
  return mountConsole(component, { pinia, stubs: nativeSelects })
}

describe('党员先锋审核', () => {
  it('lists the village’s pending deeds and approves one', async () => {
    const state = { deeds: [DEED], comments: [COMMENT] }
    const f = api(state)
    vi.stubGlobal('fetch', f)
    const w = mountAs(VanguardPage, { 'vanguard.approve': [VILLAGE] })
    await settle()
    expect(f.calls.some((c) => c.url.includes(`/vanguard/deeds/pending?village=${VILLAGE}`))).toBe(true)
    expect(w.find('[data-test=deed-text-d1]').text()).toBe('帮五保户修缮屋顶')
    await w.find('[data-test=approve-d1]').trigger('click')
    await settle()
    expect(state.decision).toEqual({ action: 'approve' })
    expect(w.find('[data-test=deed-text-d1]').exists()).toBe(false)
  })

  it('rejects with the reason given, and sends nothing when the prompt is cancelled', async () => {
    const state = { deeds: [DEED], comments: [] }
    vi.stubGlobal('fetch', api(state))
    const prompt = vi.spyOn(ElMessageBox, 'prompt').mockRejectedValueOnce('cancel')
      .mockResolvedValueOnce({ value: ' 照片看不清 ' })
    const w = mountAs(VanguardPage, { 'vanguard.approve': [VILLAGE] })
    await settle()
    await w.find('[data-test=reject-d1]').trigger('click')
    await settle()
    expect(state.decision).toBeUndefined()
    await w.find('[data-test=reject-d1]').trigger('click')
    await settle()
    expect(prompt).toHaveBeenCalledTimes(2)
    expect(state.decision).toEqual({ action: 'reject', reason: '照片看不清' })
  })

  it('a deed decided meanwhile (409) only warns: no error block', async () => {
    const state = { deeds: [DEED], comments: [], conflict: true }
    vi.stubGlobal('fetch', api(state))
    const w = mountAs(VanguardPage, { 'vanguard.approve': [VILLAGE] })
    await settle()
    await w.find('[data-test=approve-d1]').trigger('click')
    await settle()
    expect(w.find('.el-alert').exists()).toBe(false)
  })

  it('approves a pending comment', async () => {
    const state = { deeds: [], comments: [COMMENT] }
    vi.stubGlobal('fetch', api(state))
    const w = mountAs(VanguardPage, { 'vanguard.approve': [VILLAGE] })
    await settle()
    expect(w.find('[data-test=pending-comments]').text()).toContain('向党员学习')
    await w.find('[data-test=comment-approve-c1]').trigger('click')
    await settle()
    expect(state.moderation).toEqual({ action: 'approve' })
    expect(w.find('[data-test=pending-comments]').text()).not.toContain('向党员学习')
  })
})

describe('积分规则', () => {
  it('saves the rules with the version read', async () => {
    const rules = [{ source: 'deed', name: '实事获批', points: 10, monthly_cap: 50 },
      { source: 'like', name: '获得点赞', points: 1, monthly_cap: 30 }]
    let sent = null
    vi.stubGlobal('fetch', fakeFetch([
      ['GET', '/vanguard/rules', { body: { rules, version: 3, updated_at: '2026-12-01T00:00:00Z', defaults: false } }],
      ['PUT', '/vanguard/rules', (url, init) => {
        sent = JSON.parse(init.body)
        return { body: { rules, version: 4, updated_at: '2026-12-07T00:00:00Z', defaults: false } }
      }],
    ]))
    const w = mountAs(RulesPage, { 'vanguard.rules': ['330825'] })
    await settle()
    expect(w.find('[data-test=rules-version]').text()).toContain('第3版')
    await w.find('[data-test=rules-save]').trigger('click')
    await settle()
    expect(sent).toEqual({ rules: { deed: { points: 10, monthly_cap: 50 }, like: { points: 1, monthly_cap: 30 } }, version: 3 })
    expect(w.find('[data-test=rules-version]').text()).toContain('第4版')
  })

  it('checks a correction before sending', () => {
    expect(correctionProblems({ member: '', points: 0, reason: 'x' })).toEqual({
      member: 'vanguardConsole.memberRequired', points: 'vanguardConsole.pointsRange', reason: 'vanguardConsole.reasonRange' })
    expect(correctionProblems({ member: 'u1', points: -5, reason: '重复计分' })).toEqual({})
  })
})
