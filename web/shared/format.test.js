import { describe, expect, it } from 'vitest'
import { formatDateTime, percent } from './format.js'

describe('format', () => {
  it('shows times in Asia/Shanghai', () => {
    expect(formatDateTime('2026-01-01T16:30:00Z')).toContain('00:30')
  })
  it('formats rates', () => {
    expect(percent(0.1234)).toBe('12.3%')
  })
})
