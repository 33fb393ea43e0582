import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, flush, mountConsole } from '../common/testing.js'
import SettingsPage from './SettingsPage.vue'

// A native input instead of Element Plus's option list, so that a time can be typed in jsdom.
const stubs = {
  ElTimeSelect: { props: ['modelValue'], emits: ['update:modelValue'],
    template: '<input :id="$attrs.id" :aria-label="$attrs[\'aria-label\']" :value="modelValue" '
      + '@input="$emit(\'update:modelValue\', $event.target.value)" />' },
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

async function settle() {
  for (let i = 0; i < 10; i++) await flush()
  await new Promise((r) => setTimeout(r, 150)) // Element Plus shows a form item's error after a short debounce
}

const SETTINGS = { cutoff: '10:00', party_reminder_at: '09:00', grid_reminder_at: '11:00', updated_at: null }

async function type(w, label, value) {
  await w.find(`input[aria-label="${label}"]`).setValue(value)
}

describe('SettingsPage', () => {
  it('loads the times and checks the order of the reminders before sending', async () => {
    const f = fakeFetch([['GET', '/api/reports/settings', { body: SETTINGS }]])
    vi.stubGlobal('fetch', f)
    const w = mountConsole(SettingsPage, { stubs })
    await settle()
    expect(w.find('input[aria-label="上报截止时间"]').element.value).toBe('10:00')
    expect(w.find('input[aria-label="党员提醒时间"]').element.value).toBe('09:00')
    expect(w.find('input[aria-label="网格员兜底时间"]').element.value).toBe('11:00')
    expect(w.text()).toContain('尚未修改过，当前为默认时间')
    await type(w, '党员提醒时间', '11:30')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.find('.el-form-item__error').text()).toBe('党员提醒时间应早于网格员兜底时间')
    expect(f.calls.filter((c) => c.method === 'PUT')).toHaveLength(0)
    w.unmount()
  })

  it('saves, and shows the server’s 422 next to its field', async () => {
    let n = 0
    const f = fakeFetch([
      ['GET', '/api/reports/settings', { body: SETTINGS }],
      ['PUT', '/api/reports/settings', (url, init) => (++n === 1
        ? { status: 422, body: { error: { code: 'validation_failed', message: '提交的内容不符合要求',
          details: [{ field: 'cutoff', code: 'value_error', message: '时间格式应为 HH:MM' }] } } }
        : { body: { ...JSON.parse(init.body), updated_at: '2020-06-15T01:02:00Z' } })],
    ])
    vi.stubGlobal('fetch', f)
    const w = mountConsole(SettingsPage, { stubs })
    await settle()
    await type(w, '上报截止时间', '09:30')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.find('.el-form-item__error').text()).toBe('时间格式应为 HH:MM')
    expect(w.find('.api-error').text()).toContain('提交的内容不符合要求')
    await w.find('form').trigger('submit')
    await settle()
    const put = f.calls.filter((c) => c.method === 'PUT').at(-1)
    expect(JSON.parse(put.init.body)).toEqual({ cutoff: '09:30', party_reminder_at: '09:00', grid_reminder_at: '11:00' })
    expect(w.find('.el-form-item__error').exists()).toBe(false)
    expect(w.text()).toContain('上次修改：2020/06/15 09:02') // Asia/Shanghai
    expect(document.body.textContent).toContain('已保存上报设置')
    w.unmount()
  })
})
