import { describe, expect, it } from 'vitest'
import { MODULE_ICONS, MODULE_PAGES, moduleTiles } from './modules.js'

const CATALOGUE = [
  { id: 'daily_report', name: '每日上报', built: true },
  { id: 'snap', name: '随手拍', built: false },
  { id: 'jobs', name: '智慧招聘', built: true },
]

describe('home module tiles', () => {
  it('shows a module only when switched on, built, and the app has its page', () => {
    const pages = { daily_report: '/daily', snap: '/snap' }
    expect(moduleTiles(CATALOGUE, ['daily_report', 'snap'], pages)).toEqual([
      { id: 'daily_report', name: '每日上报', to: '/daily' },
    ])
    expect(moduleTiles(CATALOGUE, ['jobs'], pages)).toEqual([])
  })
  it('has the daily report page, and no tile for a module without a page', () => {
    expect(moduleTiles(CATALOGUE, CATALOGUE.map((m) => m.id), MODULE_PAGES)).toEqual([
      { id: 'daily_report', name: '每日上报', to: '/report' },
    ])
  })
  it('has the pages of 扫码通行 and 疫情举报, shown once the server says they are built', () => {
    const catalogue = [
      { id: 'scan_pass', name: '扫码通行', built: true },
      { id: 'tipoffs', name: '疫情举报', built: true },
    ]
    expect(moduleTiles(catalogue, ['scan_pass', 'tipoffs'], MODULE_PAGES)).toEqual([
      { id: 'scan_pass', name: '扫码通行', to: '/pass' },
      { id: 'tipoffs', name: '疫情举报', to: '/tipoffs' },
    ])
    expect(moduleTiles(catalogue.map((m) => ({ ...m, built: false })), ['scan_pass', 'tipoffs'], MODULE_PAGES)).toEqual([])
  })
  it('has the page of 随手拍', () => {
    expect(moduleTiles([{ id: 'snaps', name: '随手拍', built: true }], ['snaps'], MODULE_PAGES)).toEqual([
      { id: 'snaps', name: '随手拍', to: '/snaps' },
    ])
  })
  it('has the page of 村民信箱 (writing a letter)', () => {
    expect(moduleTiles([{ id: 'mailbox', name: '村民信箱', built: true }], ['mailbox'], MODULE_PAGES)).toEqual([
      { id: 'mailbox', name: '村民信箱', to: '/letters/new' },
    ])
    expect(moduleTiles([{ id: 'mailbox', name: '村民信箱', built: true }], ['snaps'], MODULE_PAGES)).toEqual([])
  })
  it('has the page of 网上代办 (the catalogue), with its icon', () => {
    expect(moduleTiles([{ id: 'errands', name: '网上代办', built: true }], ['errands'], MODULE_PAGES)).toEqual([
      { id: 'errands', name: '网上代办', to: '/errands' },
    ])
    expect(MODULE_ICONS.errands).toBe('briefcase')
  })
})
