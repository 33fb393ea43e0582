// 企业认证's decision dialog: 通过 sends {decision: verify}; 不通过 needs a reason (2–200 characters) before anything
// is sent, then sends it trimmed; the server's 422 lands under the reason; a 409 (decided meanwhile) closes it so
// the list reloads.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch, flush, mountConsole } from '../common/testing.js'
import DecisionDialog from './DecisionDialog.vue'

const EMPLOYER = {
  id: 'e1', company: '龙游测试食品有限公司', licence_no: '91330825MA2XXXXX0X', contact_name: '钱经理',
  address: '龙游县工业园区1号', intro: '食品加工', status: 'pending', status_name: '待审核', reason: null,
  created_at: '2026-12-07T02:00:00Z', decided_at: null,
}
const decided = (status, reason = null) => ({ ...EMPLOYER, status, status_name: status === 'verified' ? '已认证' : '未通过',
  reason, decided_at: '2026-12-07T03:00:00Z' })
const refused = (status, code, message, details = null) => ({ status, body: { error: { code, message, details } } })

async function settle() {
  for (let i = 0; i < 10; i++) await flush()
}
const click = async (sel) => {
  document.querySelector(sel).click()
  await settle()
}
// Element Plus shows a form item's error after a debounce.
const errorShown = async () => {
  await new Promise((r) => setTimeout(r, 250))
  return document.querySelector('.el-form-item__error')?.textContent ?? ''
}
async function type(text) {
  const el = document.querySelector('[data-test=decision-reason]')
  el.value = text
  el.dispatchEvent(new Event('input'))
  await settle()
}
const bodies = (f) => f.calls.filter((c) => c.url.includes('/decision')).map((c) => JSON.parse(c.init.body))

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('企业认证: the decision', () => {
  it('通过 sends the verification and hands the answer back', async () => {
    const f = fakeFetch([['POST', '/api/recruitment/employers/e1/decision', { body: decided('verified') }]])
    vi.stubGlobal('fetch', f)
    const w = mountConsole(DecisionDialog, { props: { employer: EMPLOYER, decision: 'verify' } })
    await settle()
    expect(document.querySelector('[data-test=decision-company]').textContent).toBe('龙游测试食品有限公司')
    expect(document.querySelector('[data-test=decision-reason]')).toBeNull() // no reason to give
    await click('[data-test=decision-save]')
    expect(bodies(f)).toEqual([{ decision: 'verify' }])
    expect(w.emitted('done')[0][0].status).toBe('verified')
  })

  it('不通过 needs a reason before sending, then sends it trimmed', async () => {
    const f = fakeFetch([['POST', '/api/recruitment/employers/e1/decision', (url, init) =>
      ({ body: decided('refused', JSON.parse(init.body).reason) })]])
    vi.stubGlobal('fetch', f)
    const w = mountConsole(DecisionDialog, { props: { employer: EMPLOYER, decision: 'refuse' } })
    await settle()
    await click('[data-test=decision-save]')
    expect(await errorShown()).toContain('请填写2–200个字的原因')
    await type(' 差 ')
    await click('[data-test=decision-save]')
    expect(bodies(f)).toEqual([]) // one character is not a reason
    await type('  营业执照信息与企业名称不符 ')
    expect(await errorShown()).toBe('') // typing clears the message
    await click('[data-test=decision-save]')
    expect(bodies(f)).toEqual([{ decision: 'refuse', reason: '营业执照信息与企业名称不符' }])
    expect(w.emitted('done')[0][0].reason).toBe('营业执照信息与企业名称不符')
  })

  it('puts the server’s 422 under the reason; a 409 closes with nothing so the list reloads', async () => {
    let n = 0
    const f = fakeFetch([['POST', '/api/recruitment/employers/e1/decision', () => (++n === 1
      ? refused(422, 'validation_failed', '请检查填写的内容', [{ field: 'reason', code: 'too_short', message: '原因太短' }])
      : refused(409, 'already_decided', '该申请已审核'))]])
    vi.stubGlobal('fetch', f)
    const w = mountConsole(DecisionDialog, { props: { employer: EMPLOYER, decision: 'refuse' } })
    await settle()
    await type('信息不符')
    await click('[data-test=decision-save]')
    expect(await errorShown()).toContain('原因太短')
    expect(w.emitted('done')).toBeUndefined()
    await click('[data-test=decision-save]')
    expect(w.emitted('done')[0]).toEqual([null])
  })
})
