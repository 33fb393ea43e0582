// Every screen is its own chunk, loaded when first visited (and precached by the service worker for offline use).
import { createRouter, createWebHistory } from 'vue-router'
import { onSessionEnded, session } from '@shared/api.js'
import { holds } from '@shared/permissions.js'
import { withoutCountyLink } from '@shared/cells.js'
import { useAccount } from './auth/account.js'
import { landingPath } from './home/landing.js'

const routes = [
  { path: '/signin', name: 'signin', component: () => import('./auth/SignInPage.vue'), meta: { public: true } },
  { path: '/county', name: 'county', component: () => import('./auth/ChooseCountyPage.vue'), meta: { tenantless: true } },
  { path: '/link', name: 'link', component: () => import('./link/LinkPage.vue'), meta: { tenantless: true } },
  { path: '/', name: 'home', component: () => import('./home/HomePage.vue') },
  // Where sign-in leads: each role's own first page (home/landing.js); never shown itself.
  {
    path: '/start',
    name: 'start',
    component: () => import('./home/HomePage.vue'),
    beforeEnter: async () => {
      const account = useAccount()
      try {
        return landingPath(await account.ensureMe())
      } catch {
        return '/'
      }
    },
  },
  { path: '/household', name: 'household', component: () => import('./household/MyHouseholdPage.vue') },
  { path: '/inbox', name: 'inbox', component: () => import('./inbox/InboxPage.vue') },
  { path: '/profile', name: 'profile', component: () => import('./profile/ProfilePage.vue') },
  { path: '/outbox', name: 'outbox', component: () => import('./offline/OutboxPage.vue') },
  { path: '/report', name: 'report', component: () => import('./daily_report/ReportPage.vue') },
  { path: '/party', name: 'party', component: () => import('./daily_report/PartyLinksPage.vue') },
  { path: '/pass', name: 'pass', component: () => import('./passes/PassPage.vue') },
  { path: '/pass/scan', name: 'pass-scan', component: () => import('./passes/ScanPage.vue') },
  { path: '/tipoffs', name: 'tipoffs', component: () => import('./tipoffs/TipoffPage.vue') },
  { path: '/tipoffs/mine', name: 'tipoffs-mine', component: () => import('./tipoffs/MyTipoffsPage.vue') },
  { path: '/snaps', name: 'snaps', component: () => import('./snaps/SnapPage.vue') },
  { path: '/snaps/board', name: 'snaps-board', component: () => import('./snaps/BoardPage.vue') },
  { path: '/letters/new', name: 'letters-new', component: () => import('./letters/LetterPage.vue') },
  { path: '/errands', name: 'errands', component: () => import('./errands/ErrandsPage.vue') },
  { path: '/errands/:id', name: 'errand', component: () => import('./errands/ErrandPage.vue') },
  { path: '/errands/:id/apply', name: 'errand-apply', component: () => import('./errands/apply/ApplyPage.vue') },
  { path: '/errands/applications/:ref', name: 'errand-application', component: () => import('./errands/apply/ApplicationPage.vue') },
  { path: '/errands/behalf', name: 'errands-behalf', component: () => import('./errands/apply/BehalfPage.vue') },
  { path: '/errands/mine', name: 'errands-mine', component: () => import('./errands/apply/MyApplicationsPage.vue') },
  { path: '/notices', name: 'notices', component: () => import('./notices/NoticesPage.vue') },
  { path: '/notices/:id', name: 'notice', component: () => import('./notices/NoticePage.vue') },
  { path: '/notices/:id/receipts', name: 'notice-receipts', component: () => import('./notices/ReceiptsPage.vue') },
  { path: '/boards', name: 'boards', component: () => import('./boards/BoardPage.vue') },
  { path: '/vanguard', name: 'vanguard', component: () => import('./vanguard/VanguardPage.vue') },
  { path: '/vanguard/new', name: 'vanguard-new', component: () => import('./vanguard/PostPage.vue') },
  { path: '/vanguard/mine', name: 'vanguard-mine', component: () => import('./vanguard/MinePage.vue') },
  { path: '/vanguard/deeds/:id', name: 'vanguard-deed', component: () => import('./vanguard/DeedPage.vue') },
  { path: '/volunteers', name: 'volunteers', component: () => import('./volunteers/VolunteersPage.vue') },
  { path: '/volunteers/calls/:id', name: 'volunteer-call', component: () => import('./volunteers/CallPage.vue') },
  { path: '/interviews', name: 'interviews', component: () => import('./interviews/MyInterviewsPage.vue') },
  { path: '/interviews/:id', name: 'interview', component: () => import('./interviews/RoomPage.vue') },
  { path: '/interviews/:id/call', name: 'interview-call', component: () => import('./interviews/CallPage.vue') },
  { path: '/lectures', name: 'lectures', component: () => import('./lectures/LecturesPage.vue') },
  { path: '/lectures/videos/:id', name: 'lecture-video', component: () => import('./lectures/PlayerPage.vue') },
  { path: '/lectures/:id', name: 'lecture-course', component: () => import('./lectures/CoursePage.vue') },
  { path: '/jobs', name: 'jobs', component: () => import('./recruitment/JobsPage.vue') },
  { path: '/jobs/mine', name: 'jobs-mine', component: () => import('./recruitment/MyApplicationsPage.vue') },
  { path: '/jobs/profile', name: 'jobs-profile', component: () => import('./recruitment/ProfilePage.vue') },
  { path: '/jobs/alerts', name: 'jobs-alerts', component: () => import('./recruitment/AlertsPage.vue') },
  { path: '/jobs/:id', name: 'job', component: () => import('./recruitment/JobPage.vue') },
  { path: '/employer', name: 'employer', component: () => import('./recruitment/employer/EmployerPage.vue') },
  { path: '/employer/jobs/new', name: 'employer-job-new', component: () => import('./recruitment/employer/JobFormPage.vue') },
  { path: '/employer/jobs/:id', name: 'employer-job', component: () => import('./recruitment/employer/JobPage.vue') },
  { path: '/employer/jobs/:id/edit', name: 'employer-job-edit', component: () => import('./recruitment/employer/JobFormPage.vue') },
  { path: '/boards/mine', name: 'boards-mine', component: () => import('./boards/HistoryPage.vue') },
  { path: '/boards/h/:hid', name: 'board-household', component: () => import('./boards/HistoryPage.vue') },
  { path: '/cases', name: 'cases-mine', component: () => import('./cases/MyCasesPage.vue') },
  { path: '/cases/:ref', name: 'case', component: () => import('./cases/CasePage.vue') },
  { path: '/field', name: 'field', component: () => import('./field/FieldHomePage.vue'), meta: { field: true } },
  {
    path: '/field/new',
    name: 'field-new',
    component: () => import('./field/AddHouseholdPage.vue'),
    meta: { field: true },
  },
  {
    path: '/field/unreported',
    name: 'field-unreported',
    component: () => import('./daily_report/UnreportedPage.vue'),
    meta: { field: true },
  },
  {
    path: '/field/report/:hid',
    name: 'field-report',
    component: () => import('./daily_report/ReportPage.vue'),
    meta: { field: true, proxy: true },
  },
  {
    path: '/field/errands/:hid',
    name: 'field-errands',
    component: () => import('./errands/apply/ProxyItemsPage.vue'),
    meta: { field: true, errandProxy: true },
  },
  {
    path: '/field/errands/:hid/:id',
    name: 'field-errand-apply',
    component: () => import('./errands/apply/ApplyPage.vue'),
    meta: { field: true, proxy: true, errandProxy: true },
  },
  {
    path: '/field/cases',
    name: 'field-cases',
    component: () => import('./cases/TodoPage.vue'),
    meta: { field: true },
  },
  {
    path: '/field/h/:hid',
    name: 'field-household',
    component: () => import('./field/FieldHouseholdPage.vue'),
    meta: { field: true },
  },
  {
    path: '/field/boards/:hid',
    name: 'field-board-score',
    component: () => import('./boards/ScorePage.vue'),
    meta: { field: true },
  },
  {
    path: '/field/h/:hid/m/:mid',
    name: 'field-member',
    component: () => import('./field/MemberEditPage.vue'),
    meta: { field: true },
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(withoutCountyLink) // a county's link, followed as the app started (main.js)

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const s = session.load()
  if (!s?.access_token) return { name: 'signin', query: { next: to.fullPath } }
  if (!s.tenant) {
    // Signed in but in no county yet (or in several and none chosen): link with an invite, or choose a county.
    if (to.meta.tenantless) return true
    return s.memberships?.length ? { name: 'county' } : { name: 'link' }
  }
  if (to.meta.field) {
    const account = useAccount()
    try {
      await account.ensureMe()
    } catch {
      return true // the page itself shows the error and a retry button
    }
    // 代办 is also the village clerk's, who has no grid (errands.proxy at the village)
    if (!account.grids.length && !(to.meta.errandProxy && holds(account.me, 'errands.proxy'))) return { name: 'home' }
  }
  return true
})

onSessionEnded(() => {
  useAccount().ended()
  const here = router.currentRoute.value
  if (!here.meta.public) router.replace({ name: 'signin', query: { next: here.fullPath } })
})
