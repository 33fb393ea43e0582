// Shared fixtures of the 智慧招聘 seekers' tests: answers as the contract shapes them, and mounting a page.
import { flushPromises, mountScreen } from '../test-support.js'

export const JOB_SUMMARIES = [
  { id: 'j1', title: '食品包装工', company: '龙游绿源食品有限公司', category: '普工', pay_min: 3800, pay_max: 5200,
    township: '330825001', township_name: '东华街道', place: '龙游工业园区兴业路8号', openings: 10,
    created_at: '2026-12-07T01:00:00Z' },
  { id: 'j2', title: '冷链配送员', company: '龙游绿源食品有限公司', category: '物流', pay_min: 4500, pay_max: 6000,
    township: null, township_name: null, place: '全县各乡镇配送', openings: 3, created_at: '2026-12-06T01:00:00Z' },
]

export const JOB = { ...JOB_SUMMARIES[0], shifts: '两班倒', requirements: '18–50岁，身体健康', openings_left: 7,
  applicants: 3, status: 'open', status_name: '招聘中', updated_at: '2026-12-07T01:00:00Z', rev: 1, mine: false, applied: null }

export const APPLICATIONS = [
  { id: 'a1', job: 'j1', title: '食品包装工', company: '龙游绿源食品有限公司', status: 'submitted', status_name: '已投递',
    cover: '可以上夜班', note: null, interview: null, created_at: '2026-12-07T02:00:00Z', updated_at: '2026-12-07T02:00:00Z' },
  { id: 'a2', job: 'j3', title: '叉车司机', company: '龙游绿源食品有限公司', status: 'interview', status_name: '邀请面试',
    cover: null, note: null, interview: { id: 'room9', at: '2026-12-10T02:00:00Z', mode: 'onsite', address: '厂区办公楼201' },
    created_at: '2026-12-06T02:00:00Z', updated_at: '2026-12-07T03:00:00Z' },
  { id: 'a3', job: 'j2', title: '冷链配送员', company: '龙游绿源食品有限公司', status: 'offered', status_name: '已发录用',
    cover: null, note: '请于下周一上午8点到厂办报到', interview: null, created_at: '2026-12-05T02:00:00Z',
    updated_at: '2026-12-07T04:00:00Z' },
]

export const PROFILE = { name: '黄村民', skills: ['叉车', '电工'], experience: '开过三年叉车', townships: ['330825001'],
  phone: '139****0014', updated_at: '2026-12-07T01:00:00Z',
  video: { url: 'https://s3.test/v.webm', seconds: 42, uploaded_at: '2026-12-07T01:00:00Z' } }

export const ROUTES = [
  { path: '/jobs', name: 'jobs' },
  { path: '/jobs/mine', name: 'jobs-mine' },
  { path: '/jobs/profile', name: 'jobs-profile' },
  { path: '/jobs/alerts', name: 'jobs-alerts' },
  { path: '/jobs/:id', name: 'job' },
]

export function signedIn(permissions = { 'recruitment.seek': ['330825001201G01'] }) {
  localStorage.clear()
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: 'v1' }))
  localStorage.setItem('cqt.me', JSON.stringify({ user_id: 'v1', tenant: '330825', grants: [], permissions }))
}

export async function open(component, path) {
  const screen = await mountScreen(component, { path, routes: ROUTES })
  for (let i = 0; i < 4; i++) await flushPromises()
  return screen
}

export const settle = async () => {
  for (let i = 0; i < 4; i++) await flushPromises()
}
