import { describe, expect, it } from 'vitest'
import { holds } from '@shared/permissions.js'
import { allowedPages } from '../router.js'

// The auth store as the router sees it (shell/pages.test.js): /api/me permissions, place codes per permission.
const as = (permissions) => {
  const me = { tenant: '330825', grants: [], permissions }
  return { me, grants: [], can: (p, place) => [].concat(p).some((x) => holds(me, x, place)) }
}
const names = (permissions) => allowedPages(as(permissions)).map((p) => p.name)

describe('问题分析 and 数据权利 in the menu (under 县级后台)', () => {
  it('问题分析 for insights.read at the county or a township, never at a village alone', () => {
    expect(names({ 'insights.read': ['330825'] })).toEqual(['insights'])
    expect(names({ 'insights.read': ['330825001'] })).toEqual(['insights'])
    expect(names({ 'insights.read': ['330825001001'] })).toEqual([])
  })
  it('数据权利 for datarights.manage (the county admin); both in the back-office group', () => {
    const pages = allowedPages(as({ 'datarights.manage': ['330825'], 'insights.read': ['330825'] }))
    expect(pages.map((p) => [p.name, p.group])).toEqual([['insights', 'backoffice'], ['dataRights', 'backoffice']])
    expect(names({ 'insights.read': ['330825'] })).not.toContain('dataRights')
  })
})
