import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch } from '../test-support.js'
import ProfilePage from './ProfilePage.vue'
import AlertsPage from './AlertsPage.vue'
import { JOB_SUMMARIES, PROFILE, open, settle, signedIn } from './test-data.js'

enableAutoUnmount(afterEach)

function server({ profile = PROFILE, put } = {}) {
  return fakeFetch((req) => {
    if (req.path === '/places/townships') return { body: { items: [{ code: '330825001', name: '东华街道' }] } }
    if (req.path.startsWith('/recruitment/jobs')) return { body: { items: JOB_SUMMARIES, next_cursor: null } }
    if (req.path === '/recruitment/profile' && req.method === 'GET') return { body: profile }
    if (req.path === '/recruitment/profile' && req.method === 'PUT') return put ? put(req) : { body: { ...profile, ...req.body, phone: '139****0014' } }
    return apiError(404, 'not_found', '没有')
  })
}

describe('求职资料 and 岗位提醒', () => {
  beforeEach(() => signedIn())
  afterEach(() => vi.unstubAllGlobals())

  it('fills the form from the profile, adds a skill, picks a township and saves without the masked phone', async () => {
    const fetch = server()
    const { wrapper } = await open(ProfilePage, '/jobs/profile')
    expect(wrapper.find('[data-test="name"]').element.value).toBe('黄村民')
    expect(wrapper.findAll('[data-test="skill"]').map((s) => s.text().replace('×', '').trim())).toEqual(['叉车', '电工'])
    expect(wrapper.find('[data-test="phone"]').attributes('placeholder')).toBe('不填写则保留 139****0014')
    // the current video plays inline
    const video = wrapper.find('[data-test="current-video"]')
    expect(video.attributes('src')).toBe('https://s3.test/v.webm')
    expect(video.attributes('playsinline')).toBeDefined()
    expect(video.attributes('controls')).toBeDefined()
    expect(wrapper.find('[data-test="video-facts"]').text()).toContain('42秒')

    await wrapper.find('[data-test="skill-input"]').setValue(' 电焊 ')
    await wrapper.find('[data-test="skill-add"]').trigger('click')
    const chips = wrapper.findAll('[data-test="township-chip"]')
    expect(chips.map((c) => [c.text(), c.attributes('aria-pressed')])).toEqual([['东华街道', 'true']])
    await chips[0].trigger('click') // off
    await wrapper.find('form').trigger('submit')
    await settle()
    const put = fetch.requests().find((r) => r.method === 'PUT')
    expect(put.body).toEqual({ name: '黄村民', skills: ['叉车', '电工', '电焊'], experience: '开过三年叉车', townships: [] })
  })

  it('sends a phone typed again; shows field errors where they belong; goes back to the job once saved', async () => {
    let fail = true
    const fetch = server({ put: (req) => (fail
      ? apiError(422, 'validation_failed', '请求参数有误', [{ field: 'phone', code: 'invalid', message: '手机号格式不正确' }])
      : { body: { ...PROFILE, ...req.body, phone: '138****5678' } }) })
    const { wrapper, router } = await open(ProfilePage, '/jobs/profile?next=/jobs/j1')
    await wrapper.find('[data-test="phone"]').setValue('1380013')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.text()).toContain('手机号格式不正确')
    fail = false
    await wrapper.find('[data-test="phone"]').setValue('13800135678')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(fetch.requests().filter((r) => r.method === 'PUT').at(-1).body.phone).toBe('13800135678')
    expect(router.currentRoute.value.fullPath).toBe('/jobs/j1')
  })

  it('no video yet: offers to record; a staff account (no recruitment.seek) is told it cannot keep one', async () => {
    server({ profile: { ...PROFILE, video: null } })
    let { wrapper } = await open(ProfilePage, '/jobs/profile')
    expect(wrapper.find('[data-test="no-video"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="record"]').text()).toBe('开始录制')
    wrapper.unmount()
    signedIn({ 'households.read': ['330825001201G01'] })
    ;({ wrapper } = await open(ProfilePage, '/jobs/profile'))
    expect(wrapper.find('[data-test="record"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="staff-no-video"]').exists()).toBe(true)
  })

  it('deletes the video after a confirmation', async () => {
    const fetch = fakeFetch((req) => {
      if (req.method === 'DELETE') return { status: 204 }
      if (req.path === '/recruitment/profile') return { body: PROFILE }
      return { body: { items: [], next_cursor: null } }
    })
    const { wrapper } = await open(ProfilePage, '/jobs/profile')
    await wrapper.find('[data-test="delete-video"]').trigger('click')
    await settle()
    document.querySelector('.van-dialog__confirm').click()
    await settle()
    expect(fetch.requests().filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual(['/recruitment/profile/video'])
    expect(wrapper.find('[data-test="current-video"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="no-video"]').exists()).toBe(true)
  })

  it('岗位提醒: categories, at most 5 townships, SMS; saved with PUT, stopped with DELETE', async () => {
    const towns = ['330825001', '330825002', '330825100', '330825101', '330825102', '330825103']
    let alert = { categories: [], townships: [], sms: false, updated_at: null }
    const fetch = fakeFetch((req) => {
      if (req.path.startsWith('/places')) {
        return { body: { items: towns.map((code, i) => ({ code, name: `镇${i}`, level: 'township' })), next_cursor: null } }
      }
      if (req.method === 'PUT') alert = { ...req.body, updated_at: '2026-12-07T06:00:00Z' }
      if (req.method === 'DELETE') alert = { categories: [], townships: [], sms: false, updated_at: null }
      return { body: alert }
    })
    const { wrapper } = await open(AlertsPage, '/jobs/alerts')
    expect(wrapper.find('[data-test="alert-state"]').text()).toContain('尚未订阅')
    expect(wrapper.find('[data-test="stop-alert"]').exists()).toBe(false)
    await wrapper.findAll('[data-test="alert-category"]').find((c) => c.text() === '技工').trigger('click')
    const chips = wrapper.findAll('[data-test="township-chip"]')
    for (const c of chips) await c.trigger('click') // the sixth is refused
    expect(wrapper.findAll('[data-test="township-chip"][aria-pressed="true"]')).toHaveLength(5)
    await wrapper.find('[data-test="sms"]').trigger('click')
    await wrapper.find('[data-test="save-alert"]').trigger('click')
    await settle()
    expect(fetch.requests().find((r) => r.method === 'PUT').body).toEqual({ categories: ['技工'], townships: towns.slice(0, 5), sms: true })
    expect(wrapper.find('[data-test="alert-state"]').text()).toContain('已订阅')
    await wrapper.find('[data-test="stop-alert"]').trigger('click')
    await settle()
    expect(fetch.requests().at(-1).method).toBe('DELETE')
    expect(wrapper.findAll('[data-test="alert-category"][aria-pressed="true"]')).toHaveLength(0)
    expect(wrapper.find('[data-test="alert-state"]').text()).toContain('尚未订阅')
  })
})
