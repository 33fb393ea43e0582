import { afterEach, describe, expect, it } from 'vitest'
import { setLocale } from '../i18n/index.js'
import { named, refIn } from './cases.js'

describe('names of statuses, events and outcomes', () => {
  afterEach(() => setLocale('zh-CN'))

  it("uses the server's own Chinese name (a type may name its statuses its own way), ours in English", async () => {
    expect(named('caseStatus', 'resolved', '已答复')).toBe('已答复')
    expect(named('caseStatus', 'resolved', null)).toBe('已办结')
    await setLocale('en')
    expect(named('caseStatus', 'resolved', '已答复')).toBe('Resolved')
    expect(named('caseEvent', 'escalated', '上报')).toBe('Escalated')
    expect(named('caseOutcome', 'warned', '已劝导警示')).toBe('已劝导警示') // one we have no word for
  })
})

describe('the reference a notice names', () => {
  it('finds it in the words of the notice', () => {
    expect(refIn('已整改：已清运（编号 SP-330825-000123）')).toBe('SP-330825-000123')
    expect(refIn('您联系的 3 户今日尚未上报')).toBeNull()
    expect(refIn(null)).toBeNull()
  })
})
