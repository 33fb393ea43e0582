import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mountScreen } from '../test-support.js'

async function fresh() {
  vi.resetModules()
  const { default: ElderModeSwitch } = await import('./ElderModeSwitch.vue')
  const prefs = await import('./prefs.js')
  return { ElderModeSwitch, prefs }
}

describe('elder mode', () => {
  beforeEach(() => {
    localStorage.clear()
    document.documentElement.className = ''
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('is a labelled switch that enlarges the app and is remembered', async () => {
    const { ElderModeSwitch } = await fresh()
    const { wrapper } = await mountScreen(ElderModeSwitch)
    const toggle = wrapper.find('[data-test="elder-switch"]')
    expect(toggle.attributes('role')).toBe('switch')
    expect(toggle.attributes('aria-label')).toBe('长辈模式')
    expect(toggle.attributes('aria-checked')).toBe('false')

    await toggle.trigger('click')
    expect(toggle.attributes('aria-checked')).toBe('true')
    expect(document.documentElement.classList.contains('elder')).toBe(true)
    expect(JSON.parse(localStorage.getItem('cqt.prefs')).elder).toBe(true)

    // Next start of the app.
    document.documentElement.className = ''
    const again = await fresh()
    await again.prefs.applyPrefs()
    expect(again.prefs.prefs.elder).toBe(true)
    expect(document.documentElement.classList.contains('elder')).toBe(true)

    const { wrapper: w2 } = await mountScreen(again.ElderModeSwitch)
    await w2.find('[data-test="elder-switch"]').trigger('click')
    expect(document.documentElement.classList.contains('elder')).toBe(false)
    expect(JSON.parse(localStorage.getItem('cqt.prefs')).elder).toBe(false)
  })
})
