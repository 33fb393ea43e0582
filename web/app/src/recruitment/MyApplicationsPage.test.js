import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch } from '../test-support.js'
import MyApplicationsPage from './MyApplicationsPage.vue'
import { APPLICATIONS, open, settle, signedIn } from './test-data.js'

enableAutoUnmount(afterEach)

async function confirm() {
  await settle()
  document.querySelector('.van-dialog__confirm').click()
  await settle()
}

describe('我的投递', () => {
  beforeEach(() => signedIn())
  afterEach(() => vi.unstubAllGlobals())

  it('shows every application with its status, my words, the employer’s note and the interview in Shanghai time', async () => {
    fakeFetch(() => ({ body: { items: APPLICATIONS, next_cursor: null } }))
    const { wrapper } = await open(MyApplicationsPage, '/jobs/mine')
    const cards = wrapper.findAll('[data-test="application"]')
    expect(cards.map((c) => c.find('[data-test="status"]').text())).toEqual(['已投递', '邀请面试', '已发录用'])
    expect(cards[0].text()).toContain('可以上夜班')
    expect(cards[0].find('[data-test="interview"]').exists()).toBe(false)
    const interview = cards[1].find('[data-test="interview"]')
    expect(interview.find('[data-test="interview-at"]').text()).toBe('2026/12/10 10:00') // 02:00Z in Shanghai
    expect(interview.text()).toContain('现场')
    expect(interview.text()).toContain('厂区办公楼201')
    expect(interview.find('[data-test="view-interview"]').attributes('href')).toBe('/interviews/room9')
    expect(cards[2].find('[data-test="employer-note"]').text()).toContain('请于下周一上午8点到厂办报到')
    expect(cards[2].find('[data-test="accept"]').exists()).toBe(true)
    expect(cards[0].find('[data-test="accept"]').exists()).toBe(false)
  })

  it('accepts an offer after a confirmation and shows 已录用', async () => {
    const fetch = fakeFetch((req) => (req.method === 'POST'
      ? { body: { ...APPLICATIONS[2], status: 'hired', status_name: '已录用' } }
      : { body: { items: APPLICATIONS, next_cursor: null } }))
    const { wrapper } = await open(MyApplicationsPage, '/jobs/mine')
    await wrapper.findAll('[data-test="application"]')[2].find('[data-test="accept"]').trigger('click')
    await confirm()
    expect(fetch.requests().filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/recruitment/applications/a3/accept'])
    const card = wrapper.findAll('[data-test="application"]')[2]
    expect(card.find('[data-test="status"]').text()).toBe('已录用')
    expect(card.find('[data-test="accept"]').exists()).toBe(false)
  })

  it('shows 409 job_full as the server words it, and declines', async () => {
    let answer = apiError(409, 'job_full', '岗位名额已满，无法接受录用')
    const fetch = fakeFetch((req) => (req.method === 'POST' ? answer : { body: { items: APPLICATIONS, next_cursor: null } }))
    const { wrapper } = await open(MyApplicationsPage, '/jobs/mine')
    await wrapper.findAll('[data-test="application"]')[2].find('[data-test="accept"]').trigger('click')
    await confirm()
    expect(wrapper.findAll('[data-test="application"]')[2].find('[role="alert"]').text()).toContain('岗位名额已满，无法接受录用')
    answer = { body: { ...APPLICATIONS[2], status: 'declined', status_name: '已婉拒' } }
    await wrapper.findAll('[data-test="application"]')[2].find('[data-test="decline"]').trigger('click')
    await confirm()
    expect(fetch.requests().filter((r) => r.method === 'POST').at(-1).path).toBe('/recruitment/applications/a3/decline')
    expect(wrapper.findAll('[data-test="application"]')[2].find('[data-test="status"]').text()).toBe('已婉拒')
  })

  it('says when there is none yet', async () => {
    fakeFetch(() => ({ body: { items: [], next_cursor: null } }))
    const { wrapper } = await open(MyApplicationsPage, '/jobs/mine')
    expect(wrapper.find('[data-test="none"]').text()).toContain('还没有投递过岗位')
  })
})
