// 紧急招募令 (console): the calls of my place with slots taken and waiting; 修改 reads the call (its version) and
// opens the form filled in; 取消招募 asks first and posts the cancel (nothing sent when the person says no).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { ElMessageBox } from 'element-plus'
import { useAuth } from '../auth/store.js'
import { fakeFetch, flush, mountConsole, nativeSelects } from '../common/testing.js'
import { clearPlaceCache } from '../places/placeCache.js'
import VolunteerCallsPage from './VolunteerCallsPage.vue'

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
const SUMMARY = { id: 'c1', title: '为村医招募驾驶员', place: VILLAGE, place_name: '张王村', address: '卫生室门口',
  starts_at: '2026-12-09T00:00:00Z', ends_at: '2026-12-09T04:00:00Z', slots: 5, confirmed: 2, waiting: 1,
  skills: ['驾驶'], status: 'open', status_name: '招募中' }
const CALL = { ...SUMMARY, description: '接送村医', requirements: '', by_name: '祝村管', created_at: '', updated_at: '',
  version: 4, can_manage: true, mine: null }

function api(state) {
  return fakeFetch([
    ['GET', `/api/places/${VILLAGE}`, { body: { code: VILLAGE, name: '张王村', level: 'village', parent: '330825001' } }],
    ['GET', '/volunteers/calls?place=', () => ({ body: { items: [state.summary], next_cursor: null } })],
    ['GET', '/volunteers/calls/c1', { body: CALL }],
    ['POST', '/volunteers/calls/c1/cancel', () => {
      state.cancelled = (state.cancelled || 0) + 1
      state.summary = { ...state.summary, status: 'cancelled', status_name: '已取消' }
      return { body: { ...CALL, status: 'cancelled' } }
    }],
  ])
}
function mountPage() {
  const pinia = createPinia()
  useAuth(pinia).me = { tenant: '330825', grants: [], permissions: { 'volunteers.organise': [VILLAGE] } }
  return mountConsole(VolunteerCallsPage, { pinia, stubs: nativeSelects })
}

describe('紧急招募令 (console)', () => {
  it('lists my place’s calls; 修改 opens the form with the call as it is now', async () => {
    const state = { summary: SUMMARY }
    const f = api(state)
    vi.stubGlobal('fetch', f)
    const w = mountPage()
    await settle()
    expect(f.calls.some((c) => c.url.includes(`/volunteers/calls?place=${VILLAGE}&limit=20`))).toBe(true)
    expect(w.find('[data-test="call-slots-c1"]').text()).toBe('2/5')
    expect(w.text()).toContain('为村医招募驾驶员')
    await w.find('[data-test="edit-c1"]').trigger('click')
    await settle()
    const dialog = document.querySelector('.vol-dialog')
    expect(dialog.querySelector('#vol-title').value).toBe('为村医招募驾驶员')
    expect(dialog.querySelector('[data-test=call-place]').textContent).toBe('张王村')
    w.unmount()
  })

  it('取消招募 asks first; only a yes posts the cancel', async () => {
    const state = { summary: SUMMARY }
    vi.stubGlobal('fetch', api(state))
    const confirm = vi.spyOn(ElMessageBox, 'confirm').mockRejectedValueOnce('cancel').mockResolvedValueOnce('confirm')
    const w = mountPage()
    await settle()
    await w.find('[data-test="cancel-c1"]').trigger('click')
    await settle()
    expect(state.cancelled).toBeUndefined()
    await w.find('[data-test="cancel-c1"]').trigger('click')
    await settle()
    expect(confirm).toHaveBeenCalledTimes(2)
    expect(state.cancelled).toBe(1)
    expect(w.find('[data-test="cancel-c1"]').exists()).toBe(false) // a cancelled call: no more actions
    w.unmount()
  })
})
