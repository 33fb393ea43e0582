import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, flush, mountConsole } from '../common/testing.js'
import RetentionTab from './RetentionTab.vue'

const STATE = { health_days: 90, photo_days: 730, bounds: { health_days: [30, 1095], photo_days: [90, 3650] },
  defaults: { health_days: 90, photo_days: 730 }, health_sweep_until: null, last_run: null, last_result: null,
  photos_deleted_before: null, updated_at: null }
const settle = async () => {
  for (let i = 0; i < 20; i++) await flush()
}
afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('保存期限', () => {
  it('refuses a value out of bounds before sending; says a concurrent change plainly and reads again', async () => {
    let puts = 0
    let gets = 0
    vi.stubGlobal('fetch', fakeFetch([
      ['GET', '/api/datarights/retention', () => {
        gets += 1
        return { body: STATE }
      }],
      ['PUT', '/api/datarights/retention', () => {
        puts += 1
        return { status: 409, body: { error: { code: 'version_conflict', message: '县的设置刚被他人修改，请刷新后重试' } } }
      }],
    ]))
    const w = mountConsole(RetentionTab)
    await settle()
    expect(w.text()).toContain('可设30至1095天，默认90天')
    const health = w.find('[data-test=health-days] input')
    await health.setValue('20')
    await health.trigger('change')
    await settle()
    await w.find('[data-test=save-retention]').trigger('click')
    await settle()
    expect(puts).toBe(0)
    // (the field is marked; Element Plus draws its message in a transition jsdom does not run)
    expect(w.findAll('.el-form-item.is-error')).toHaveLength(1)

    await health.setValue('365')
    await health.trigger('change')
    await settle()
    await w.find('[data-test=save-retention]').trigger('click')
    await settle()
    expect(puts).toBe(1)
    const conflict = w.find('[data-test=conflict]')
    expect(conflict.text()).toContain('县的设置刚被他人修改，请刷新后重试')
    await conflict.find('button').trigger('click')
    await settle()
    expect(gets).toBe(2)
    expect(w.find('[data-test=conflict]').exists()).toBe(false)
    expect(health.element.value).toBe('90')
    w.unmount()
  })
})
