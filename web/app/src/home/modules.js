// The app's pages for the county modules (每日上报, 随手拍, ...), by module id; each module adds its page here
// when its front end is built. A module gets a home tile only when the county switched it on, the server says it
// is built, and the app has its page — so no tile leads nowhere.
export const MODULE_PAGES = {
  daily_report: '/report', scan_pass: '/pass', tipoffs: '/tipoffs', snaps: '/snaps', mailbox: '/letters/new',
  errands: '/errands', boards: '/boards', notices: '/notices', vanguard: '/vanguard',
  volunteers: '/volunteers', recruitment: '/jobs', lectures: '/lectures',
}
/** The icon of each module's tile (common/AppIcon.vue). */
export const MODULE_ICONS = { daily_report: 'report', scan_pass: 'qr', tipoffs: 'megaphone', snaps: 'camera', mailbox: 'mail',
  errands: 'briefcase', boards: 'medal', notices: 'notice', vanguard: 'flag',
  volunteers: 'hands', recruitment: 'resume', lectures: 'play' }

/** 每日上报 first: the one thing every household does every day. */
const FIRST = ['daily_report']

export function moduleTiles(catalogue, switchedOn, pages = MODULE_PAGES) {
  const rank = (m) => (FIRST.includes(m.id) ? FIRST.indexOf(m.id) : FIRST.length)
  return catalogue
    .filter((m) => m.built && switchedOn.includes(m.id) && pages[m.id])
    .map((m) => ({ id: m.id, name: m.name, to: pages[m.id] }))
    .sort((a, b) => rank(a) - rank(b)) // stable: the catalogue's order otherwise
}

/** Modules of cases (filed by a person, followed in 我的事项 /cases). */
export const CASE_MODULES = ['tipoffs', 'snaps', 'mailbox']

/** A household's own modules: shown only to a phone linked to a household (a staff member of no household has no
 * report or pass of their own). */
export const HOUSEHOLD_MODULES = ['daily_report', 'scan_pass']
