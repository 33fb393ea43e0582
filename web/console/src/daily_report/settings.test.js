import { describe, expect, it } from 'vitest'
import { checkSettings } from './settings.js'

describe('checkSettings mirrors the server', () => {
  it('accepts HH:MM times with the party reminder first', () => {
    expect(checkSettings({ cutoff: '10:00', party_reminder_at: '09:00', grid_reminder_at: '11:00' })).toEqual({})
  })
  it('wants every time', () => {
    expect(checkSettings({ cutoff: '', party_reminder_at: '9:00', grid_reminder_at: '24:00' })).toEqual({
      cutoff: 'reportSettings.required', party_reminder_at: 'reportSettings.required',
      grid_reminder_at: 'reportSettings.required' })
  })
  it('refuses a party reminder at or after the grid worker fallback', () => {
    const order = { grid_reminder_at: 'reportSettings.order' }
    expect(checkSettings({ cutoff: '10:00', party_reminder_at: '11:00', grid_reminder_at: '11:00' })).toEqual(order)
    expect(checkSettings({ cutoff: '10:00', party_reminder_at: '11:30', grid_reminder_at: '11:00' })).toEqual(order)
  })
})
