// Routes load lazily, one chunk per feature. Signed-out people go to the sign-in page; each page says which
// permission it needs, and the menu offers the pages whose permission /api/me grants (the server leaves out the
// permissions of modules the county switched off, so a switched-off module's pages go with them). The home page is
// the role's own first page (landingPage). A page may name several permissions: any one of them opens it (the cases
// inbox serves every case type the person may read).
import { createRouter, createWebHistory } from 'vue-router'
import { withoutCountyLink } from '@shared/cells.js'
import { placesOf } from '@shared/permissions.js'
import { levelOf } from '@shared/placeCodes.js'
import { landingPages } from './auth/roles.js'
import { useAuth } from './auth/store.js'

export const PAGES = [
  { name: 'places', path: 'places', permission: 'places.read', icon: 'place',
    component: () => import('./places/PlacesPage.vue') },
  { name: 'households', path: 'households', permission: 'households.read', icon: 'house',
    component: () => import('./households/HouseholdsPage.vue') },
  { name: 'staff', path: 'staff', permission: 'staff.read', icon: 'staff',
    component: () => import('./staff/StaffPage.vue') },
  { name: 'imports', path: 'imports', permission: 'imports.write', icon: 'import',
    component: () => import('./imports/ImportPage.vue') },
  { name: 'coverage', path: 'coverage', permission: 'coverage.read', icon: 'chart',
    component: () => import('./coverage/CoveragePage.vue') },
  { name: 'reports', path: 'reports', permission: 'reports.read', icon: 'report',
    component: () => import('./daily_report/CompletionPage.vue') },
  { name: 'alerts', path: 'alerts', permission: 'alerts.read', icon: 'alert',
    component: () => import('./daily_report/AlertsPage.vue') },
  { name: 'reportSettings', path: 'reports/settings', permission: 'reports.settings', icon: 'settings',
    component: () => import('./daily_report/SettingsPage.vue') },
  { name: 'partyLinks', path: 'party-links', permission: 'party.link', icon: 'party',
    component: () => import('./party/PartyLinksPage.vue') },
  // Any read permission of a case type (chalicelib/*/casetype.py `read_permission`): a new case type adds its own.
  { name: 'cases', path: 'cases', permission: ['snaps.read', 'tipoffs.read', 'letters.read', 'errands.read'],
    icon: 'cases',
    component: () => import('./cases/CasesPage.vue') },
  { name: 'caseCategories', path: 'cases/categories', permission: 'cases.configure', icon: 'settings',
    component: () => import('./cases/CategoriesPage.vue') },
  { name: 'tipoffs', path: 'tipoffs', permission: 'tipoffs.read', icon: 'tipoff',
    component: () => import('./tipoffs/TipoffsPage.vue') },
  { name: 'tipoffStats', path: 'tipoffs/stats', permission: 'tipoffs.read', icon: 'chart',
    component: () => import('./tipoffs/TipoffStatsPage.vue') },
  { name: 'scans', path: 'passes/scans', permission: 'passes.logs', icon: 'scan',
    component: () => import('./passes/ScansPage.vue') },
  { name: 'workdays', path: 'workdays', permission: 'workdays.read', icon: 'calendar',
    component: () => import('./workdays/WorkdaysPage.vue') },
  // 网上代办 (a menu group of its own): the county's catalogue of items.
  { name: 'errandItems', path: 'errands/items', permission: 'errands.configure', icon: 'list', group: 'errands',
    component: () => import('./errands/ItemsPage.vue') },
  // The month's numbers: read at the county or a township (`levels`: a village office holds errands.read but
  // reads no statistics).
  { name: 'errandStats', path: 'errands/stats', permission: 'errands.read', levels: ['county', 'township'],
    icon: 'chart', group: 'errands', component: () => import('./errands/stats/ErrandStatsPage.vue') },
  // 红黑榜 (a menu group of its own): a village's monthly board (draft, publish, appeals, settings) for its cadres;
  // the county's scoring criteria for the county admin.
  { name: 'boards', path: 'boards', permission: 'boards.approve', icon: 'chart', group: 'boards',
    component: () => import('./boards/BoardsPage.vue') },
  { name: 'boardCriteria', path: 'boards/criteria', permission: 'boards.configure', icon: 'settings', group: 'boards',
    component: () => import('./boards/CriteriaPage.vue') },
  // 党员先锋 (a menu group of its own): a village's deeds and comments awaiting its party secretary; the county's
  // points rules and corrections for the organisation department.
  { name: 'vanguard', path: 'vanguard', permission: 'vanguard.approve', icon: 'party', group: 'vanguard',
    component: () => import('./vanguard/VanguardPage.vue') },
  { name: 'vanguardRules', path: 'vanguard/rules', permission: 'vanguard.rules', icon: 'settings', group: 'vanguard',
    component: () => import('./vanguard/RulesPage.vue') },
  // 通知公告: what an office published (its county, township or village), publishing, and who has read it.
  { name: 'notices', path: 'notices', permission: 'notices.publish', icon: 'report',
    component: () => import('./notices/NoticesPage.vue') },
  // 紧急招募令: the calls an office posted (its place and below), their rosters, hours.
  { name: 'volunteers', path: 'volunteers', permission: 'volunteers.organise', icon: 'staff',
    component: () => import('./volunteers/VolunteerCallsPage.vue') },
  // 专题授课: the courses an office made (the county, a township), uploading videos, comments awaiting a decision, numbers.
  { name: 'lectures', path: 'lectures', permission: 'lectures.publish', levels: ['county', 'township'], icon: 'report',
    component: () => import('./lectures/LecturesPage.vue') },
  // 企业认证 (智慧招聘): the county admin verifies the employer accounts.
  { name: 'employers', path: 'recruitment/employers', permission: 'recruitment.verify', icon: 'staff',
    component: () => import('./recruitment/EmployersPage.vue') },
  // 县级后台 (a menu group of its own): usage quality per township (the county's offices; a township official sees
  // their township), and the quarterly party-building report the organisation department submits.
  { name: 'backofficeQuality', path: 'backoffice/quality', permission: 'backoffice.read', icon: 'chart',
    group: 'backoffice', component: () => import('./backoffice/QualityPage.vue') },
  { name: 'backofficeReports', path: 'backoffice/reports', permission: 'backoffice.report', icon: 'report',
    group: 'backoffice', component: () => import('./backoffice/ReportsPage.vue') },
  // 问题分析 (under 县级后台): every case type by category × place × week, hotspots, words, anomalies — the county's
  // offices for the county and its townships, a township official for their township.
  { name: 'insights', path: 'insights', permission: 'insights.read', levels: ['county', 'township'], icon: 'chart',
    group: 'backoffice', component: () => import('./insights/InsightsPage.vue') },
  // 数据权利 (under 县级后台): the county's export of all its data, retention periods, the audit log (county admin).
  { name: 'dataRights', path: 'data-rights', permission: 'datarights.manage', icon: 'settings', group: 'backoffice',
    component: () => import('./datarights/DataRightsPage.vue') },
  { name: 'counties', path: 'counties', permission: 'tenants.admin', icon: 'county',
    component: () => import('./counties/CountiesPage.vue') },
]

/** May the person open the page: they hold its permission, at a place of one of its `levels` when it names them. */
export function mayOpen(auth, page) {
  if (!auth.can(page.permission)) return false
  return !page.levels || [].concat(page.permission).some((p) => placesOf(auth.me, p)
    .some((code) => page.levels.includes(levelOf(code))))
}

export function allowedPages(auth) {
  return PAGES.filter((p) => mayOpen(auth, p))
}

/** The page a person lands on: their role's own first page (auth/roles.js LANDING) if they may use it, else the
 * first page they may use. */
export function landingPage(auth) {
  const allowed = allowedPages(auth)
  const names = new Set(allowed.map((p) => p.name))
  return landingPages(auth.grants).find((n) => names.has(n)) || allowed[0]?.name || null
}

export const router = createRouter({
  history: createWebHistory('/console/'),
  routes: [
    { path: '/signin', name: 'signin', component: () => import('./auth/SignInPage.vue'), meta: { public: true } },
    {
      path: '/',
      component: () => import('./shell/ConsoleShell.vue'),
      children: [
        { path: '', name: 'home', component: () => import('./shell/NoAccess.vue') },
        ...PAGES.map((p) => ({ path: p.path, name: p.name, component: p.component,
          meta: { permission: p.permission, page: p } })),
        // 网上代办: one application, opened from the cases inbox (not a menu page).
        { path: 'errands/applications/:ref', name: 'errandApplication', meta: { permission: 'errands.read' },
          component: () => import('./errands/applications/ApplicationPage.vue') },
      ],
    },
    // 季度党建报表's printable view: a tab of its own, outside the console's frame (printed as it is).
    { path: '/backoffice/reports/:id/print', name: 'backofficeReportPrint', meta: { permission: 'backoffice.report' },
      component: () => import('./backoffice/ReportPrintPage.vue') },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach(withoutCountyLink) // a county's link, followed as the console started (main.js)

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const auth = useAuth()
  auth.sync()
  if (!auth.signedIn || auth.needsCounty) return { name: 'signin', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (!auth.me) {
    try {
      await auth.loadMe()
    } catch (e) {
      if (e?.status === 401 || e?.status === 403) {
        await auth.signOut()
        auth.notice = e.status === 403 ? e.message : '' // e.g. the county was disabled
        return { name: 'signin' }
      }
      // network trouble: let the shell show it with a retry
      return to.name === 'home' ? true : { name: 'home' }
    }
  }
  if (to.name === 'home') {
    const first = landingPage(auth)
    return first ? { name: first } : true
  }
  if (to.meta.page ? !mayOpen(auth, to.meta.page) : to.meta.permission && !auth.can(to.meta.permission)) {
    return { name: 'home' }
  }
  return true
})
