import { describe, expect, it } from 'vitest'
import { MODULE_PAGES, moduleTiles } from './modules.js'

const CATALOGUE = [
  { id: 'daily_report', name: '每日上报', built: true },
  { id: 'snap', name: '随手拍', built: false },
  { id: 'mailbox', name: '村民信箱', built: true },
]

describe('home module tiles', () => {
  it('shows a module only when switched on, built, and the app has its page', () => {
    const pages = { daily_report: '/daily', snap: '/snap' }
    expect(moduleTiles(CATALOGUE, ['daily_report', 'snap'], pages)).toEqual([
      { id: 'daily_report', name: '每日上报', to: '/daily' },
    ])
    expect(moduleTiles(CATALOGUE, ['mailbox'], pages)).toEqual([])
  })
  it('has the daily report page, and no tile for a module without a page', () => {
    expect(moduleTiles(CATALOGUE, CATALOGUE.map((m) => m.id), MODULE_PAGES)).toEqual([
      { id: 'daily_report', name: '每日上报', to: '/report' },
    ])
  })
})
