import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n, setLocale } from '../../i18n/index.js'
import { fakeFetch, nativeSelects } from '../../common/testing.js'
import ApplicationPage from './ApplicationPage.vue'
import { daysOpen, stepBody, stepProblems, staffSteps } from './applications.js'

// jsdom has no canvas: the photo goes up as chosen.
vi.mock('@shared/image.js', () => ({ shrinkPhoto: async (file) => file }))

const REF = 'DB-330825-000042'
const refused = (status, code, message, details = null) => ({ status, body: { error: { code, message, details } } })

function application(o = {}) {
  return {
    case: { ref: REF, type: 'errand', type_name: '网上代办', category: 'apply', category_name: '在线申请',
      place: '330825001201G01', place_name: '张王村第一网格', village: '330825001201', village_name: '张王村',
      filer: '黄村民', status: 'filed', status_name: '待受理', outcome: null, outcome_name: null, note: null,
      sla: 'green', due_at: '2026-12-14T01:00:00Z', created_at: '2026-12-03T01:00:00Z', resolved_at: null,
      photos: [], after_photos: [], actions: ['accept', 'resolve'],
      timeline: [{ event: 'filed', event_name: '已提交', at: '2026-12-03T01:00:00Z', by: '汪专网', by_role: 'filer',
        status: 'filed', note: '专职网格员汪专网代为申请（张王村1号，户主黄建国），该户已短信验证同意（138****1234）',
        detail: {} }] },
    item: { id: 'e3b0c44298fc', name: '生育登记', department: '县卫生健康局', time_limit_days: 20, promised_days: 5 },
    household: 'h1',
    values: { f1: { label: '孩子出生日期', type: 'date', value: '2026-11-20' },
      f2: { label: '父亲身份证号', type: 'id_number', value: '330825********1234' } },
    materials: [{ name: '夫妻双方身份证', original_required: true, photos: ['http://s3/m1.jpg', 'http://s3/m2.jpg'] },
      { name: '结婚证', original_required: false, photos: ['http://s3/m3.jpg'] }],
    delivery: 'courier', address: '龙游县张王村1号', phone: '138****1234', stage: 'submitted', stage_name: '待受理',
    steps: ['return', 'forward'],
    on_behalf: { by: '汪专网', role: 'grid_worker', role_name: '专职网格员', consent_phone: '138****1234',
      consent_at: '2026-12-03T00:55:00Z' },
    courier: null, tracking_no: null, shipped_at: null, ready_at: null, received_at: null,
    ...o,
  }
}

/** The application's routes: GET, the steps (as the server moves the stages), the result photo upload. */
function server(initial, { conflict = null } = {}) {
  let app = initial
  const event = (e, name, note = null) => ({ event: e, event_name: name, at: '2026-12-07T02:00:00Z', by: '祝村管',
    by_role: 'staff', status: app.case.status, note, detail: {} })
  const f = fakeFetch([
    ['GET', `/api/errands/applications/${REF}`, () => ({ body: app })],
    ['POST', '/api/cases/uploads', { status: 201, body: { url: 'http://s3.local/media', fields: { key: 'k' },
      key: '330825/cases/errand/doc-1.jpg', max_bytes: 512000 } }],
    ['POST', 'http://s3.local/media', { status: 204, text: '' }],
    ['POST', '/actions', (url, init) => {
      const b = JSON.parse(init.body)
      if (!init.headers['Idempotency-Key']) return refused(400, 'idempotency_key_required', '缺少幂等键')
      if (conflict && conflict.action === b.action) {
        app = { ...app, ...conflict.then }
        return refused(409, 'invalid_transition', conflict.message)
      }
      if (b.action === 'ship' && b.tracking_no === 'EMS-000000') {
        return refused(422, 'validation_failed', '提交的内容不符合要求',
          [{ field: 'tracking_no', code: 'invalid', message: '运单号格式不正确' }])
      }
      const moves = {
        return: { stage: 'returned', stage_name: '需补充材料', steps: [], ev: ['returned', '需补充材料'] },
        forward: { stage: 'forwarded', stage_name: '部门办理中', steps: ['return'], ev: ['forwarded', '已转交部门'] },
        decide: { stage: b.outcome, stage_name: b.outcome === 'approved' ? '准予办理' : '不予办理', steps: ['ship'],
          ev: ['resolved', '已办结'] },
        ship: { stage: 'shipped', stage_name: '已寄出', steps: [], ev: ['shipped', '已寄出'], courier: b.courier,
          tracking_no: b.tracking_no, shipped_at: '2026-12-07T02:00:00Z' },
      }[b.action]
      const { ev, ...rest } = moves
      app = { ...app, ...rest, case: { ...app.case, timeline: [...app.case.timeline, event(ev[0], ev[1], b.note)] } }
      return { body: app }
    }],
  ])
  return f
}

async function settle() {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0)
}
const debounce = () => vi.advanceTimersByTimeAsync(200) // Element Plus shows a form item's error after a debounce

async function mountPage(now = () => Date.parse('2026-12-07T02:00:00Z')) {
  const pinia = createPinia()
  setActivePinia(pinia)
  setLocale('zh-CN')
  const router = createRouter({ history: createMemoryHistory('/console/'), routes: [
    { path: '/errands/applications/:ref', name: 'errandApplication', component: ApplicationPage },
    { path: '/cases', name: 'cases', component: { template: '<p>inbox</p>' } },
  ] })
  router.push(`/errands/applications/${REF}`)
  await router.isReady()
  const w = mount(ApplicationPage, { props: { now }, attachTo: document.body,
    global: { plugins: [i18n, pinia, ElementPlus, router], stubs: nativeSelects } })
  await settle()
  return w
}

const stepButtons = (w) => w.findAll('[data-step]').map((b) => b.text())
const posts = (f) => f.calls.filter((c) => c.method === 'POST' && c.url.includes('/actions'))
const openDialog = () => [...document.querySelectorAll('[data-test=step-dialog]')].at(-1).closest('.el-dialog')
const submit = (dlg) => dlg.querySelector('[data-test=step-submit]').click()
const errors = (dlg) => [...dlg.querySelectorAll('.el-form-item__error')].map((e) => e.textContent.trim())
const messages = () => [...document.querySelectorAll('.el-message')].map((m) => m.textContent.trim())
function type(root, selector, text) {
  const el = root.querySelector(selector)
  el.value = text
  el.dispatchEvent(new Event('input'))
}
async function clickStep(w, step) {
  await w.find(`[data-step=${step}]`).trigger('click')
  await settle()
  return openDialog()
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] }))
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('applications.js', () => {
  it('offers only the staff steps the server lists, in their order', () => {
    expect(staffSteps(['forward', 'return', 'note', 'supplement'])).toEqual(['return', 'forward'])
    expect(staffSteps(['receive', 'rate'])).toEqual([])
    expect(staffSteps(undefined)).toEqual([])
  })
  it('checks each step and sends only what it takes', () => {
    expect(stepProblems('return', { note: '  ' })).toEqual({ note: 'errandApp.check.returnNote' })
    expect(stepProblems('decide', { outcome: '' })).toEqual({ outcome: 'errandApp.check.outcome' })
    expect(stepProblems('decide', { outcome: 'refused', note: '' })).toEqual({ note: 'errandApp.check.refuseNote' })
    expect(stepProblems('decide', { outcome: 'approved', photos: [{ key: null }] }))
      .toEqual({ photos: 'errandApp.check.uploading' })
    expect(stepProblems('ship', { courier: '某快递', trackingNo: 'ab' })).toEqual({ courier: 'errandApp.check.courier',
      tracking_no: 'errandApp.check.trackingNoFormat' })
    expect(stepProblems('forward', {})).toEqual({})
    expect(stepBody('decide', { outcome: 'approved', note: ' ', photos: [{ key: 'k1' }] }))
      .toEqual({ action: 'decide', outcome: 'approved', photos: ['k1'] })
    expect(stepBody('ship', { courier: '顺丰速运', trackingNo: ' SF1234567 ', note: '' }))
      .toEqual({ action: 'ship', courier: '顺丰速运', tracking_no: 'SF1234567' })
  })
  it('counts calendar days open in Shanghai, up to the decision', () => {
    const c = { created_at: '2026-12-03T17:00:00Z' } // 12-04 01:00 in Shanghai
    expect(daysOpen(c, Date.parse('2026-12-04T15:59:00Z'))).toBe(0) // 23:59 the same day
    expect(daysOpen(c, Date.parse('2026-12-04T16:01:00Z'))).toBe(1)
    expect(daysOpen({ ...c, resolved_at: '2026-12-08T02:00:00Z' }, Date.parse('2027-01-01T00:00:00Z'))).toBe(4)
  })
})

describe('ApplicationPage', () => {
  it('shows the item, limits, days open, who applied on the household\'s behalf, values, materials, delivery and '
    + 'the timeline; the step buttons are the server\'s `steps` only', async () => {
    const f = server(application())
    vi.stubGlobal('fetch', f)
    const w = await mountPage()
    expect(w.find('[data-test=item-name]').text()).toBe('生育登记')
    expect(w.find('[data-test=stage]').text()).toBe('待受理')
    expect(w.find('[data-test=ref]').text()).toBe(REF)
    expect(w.find('[data-test=department]').text()).toBe('县卫生健康局')
    expect(w.find('[data-test=limits]').text()).toContain('承诺时限：5 个工作日')
    expect(w.find('[data-test=limits]').text()).toContain('法定时限：20 个工作日')
    expect(w.find('[data-test=days-open]').text()).toBe('已提交 4 天')
    const behalf = w.find('[data-test=on-behalf]').text()
    expect(behalf).toContain('代为申请：专职网格员 汪专网')
    expect(behalf).toContain('户主已短信验证同意（手机号 138****1234，2026/12/03 08:55）')
    expect(w.find('[data-value=f2]').text()).toBe('330825********1234')
    expect(w.find('[data-test=values]').text()).toContain('孩子出生日期')
    expect(w.findAll('[data-test=material-0] [data-test=material-photo]')).toHaveLength(2)
    expect(w.find('[data-test=material-0] [data-test=original-required]').text()).toBe('须验原件')
    expect(w.find('[data-test=material-1] [data-test=original-required]').exists()).toBe(false)
    expect(w.find('[data-test=delivery-way]').text()).toBe('快递到家')
    expect(w.find('[data-test=address]').text()).toBe('龙游县张王村1号')
    expect(w.find('[data-test=courier]').exists()).toBe(false) // not shipped yet
    expect(w.findAll('[data-test=timeline] [data-test=event-name]').map((e) => e.text())).toEqual(['已提交'])
    // the generic case actions (accept, resolve) are never offered here: only `steps`
    expect(stepButtons(w)).toEqual(['退回补正', '转交部门'])
    w.unmount()
  })

  it('in English: the steps, the stage from the server and the delivery in words', async () => {
    vi.stubGlobal('fetch', server(application({ steps: ['return', 'forward', 'decide', 'ship', 'ready'] })))
    const w = await mountPage()
    setLocale('en')
    await settle()
    expect(stepButtons(w)).toEqual(['Return for more', 'Forward to department', 'Decide', 'Ship', 'Ready for pickup'])
    expect(w.find('[data-test=delivery-way]').text()).toBe('By courier')
    expect(w.find('[data-test=limits]').text()).toContain('Promised time limit: 5 working days')
    setLocale('zh-CN')
    w.unmount()
  })

  it('no steps for the caller: no buttons; the applicant\'s own steps are not offered to staff', async () => {
    vi.stubGlobal('fetch', server(application({ steps: ['supplement', 'receive', 'rate'], on_behalf: null })))
    const w = await mountPage()
    expect(w.find('[data-test=steps]').exists()).toBe(false)
    expect(w.find('[data-test=on-behalf]').exists()).toBe(false)
    w.unmount()
  })

  it('退回补正 needs a reason; sent once with an Idempotency-Key; the page shows the answer', async () => {
    const f = server(application())
    vi.stubGlobal('fetch', f)
    const w = await mountPage()
    const dlg = await clickStep(w, 'return')
    expect(dlg.querySelector('.el-dialog__title').textContent).toBe('退回补正')
    submit(dlg)
    await settle()
    await debounce()
    expect(errors(dlg)).toContain('请写明需要补充或更正什么')
    expect(posts(f)).toHaveLength(0)
    type(dlg, '#errand-step-note', '结婚证照片不清楚，请重新拍摄')
    await settle()
    submit(dlg)
    await settle()
    const sent = posts(f)
    expect(sent).toHaveLength(1)
    expect(JSON.parse(sent[0].init.body)).toEqual({ action: 'return', note: '结婚证照片不清楚，请重新拍摄' })
    expect(sent[0].init.headers['Idempotency-Key']).toMatch(/.{8,}/)
    expect(w.find('[data-test=stage]').text()).toBe('需补充材料')
    expect(w.findAll('[data-test=event-name]').map((e) => e.text())).toEqual(['已提交', '需补充材料'])
    expect(w.find('[data-test=steps]').exists()).toBe(false)
    expect(messages()).toContain('已退回，申请人会收到补正通知')
    w.unmount()
  })

  it('作出决定: an outcome is required, a refusal needs its reason; approval with a photo of the result document',
    async () => {
      const f = server(application({ stage: 'forwarded', stage_name: '部门办理中', steps: ['return', 'decide'] }))
      vi.stubGlobal('fetch', f)
      const w = await mountPage()
      expect(stepButtons(w)).toEqual(['退回补正', '作出决定'])
      const dlg = await clickStep(w, 'decide')
      submit(dlg)
      await settle()
      await debounce()
      expect(errors(dlg)).toEqual(['请选择准予办理或不予办理'])
      dlg.querySelector('[data-test=outcome-refused] input').click()
      await settle()
      expect(dlg.textContent).toContain('不予办理的理由')
      submit(dlg)
      await settle()
      await debounce()
      expect(errors(dlg)).toEqual(['不予办理须写明理由'])
      expect(posts(f)).toHaveLength(0)
      dlg.querySelector('[data-test=outcome-approved] input').click()
      await settle()
      const input = dlg.querySelector('[data-test=result-photo-input]')
      Object.defineProperty(input, 'files', { value: [new File(['x'.repeat(100)], 'doc.jpg', { type: 'image/jpeg' })],
        configurable: true })
      input.dispatchEvent(new Event('change'))
      await settle()
      expect(dlg.querySelectorAll('[data-test=result-photo]')).toHaveLength(1)
      expect(JSON.parse(f.calls.find((c) => c.url.includes('/cases/uploads')).init.body))
        .toEqual({ type: 'errand', content_type: 'image/jpeg' })
      expect(f.calls.some((c) => c.url === 'http://s3.local/media')).toBe(true)
      submit(dlg)
      await settle()
      expect(JSON.parse(posts(f)[0].init.body)).toEqual({ action: 'decide', outcome: 'approved',
        photos: ['330825/cases/errand/doc-1.jpg'] })
      expect(w.find('[data-test=stage]').text()).toBe('准予办理')
      expect(stepButtons(w)).toEqual(['寄出'])
      w.unmount()
    })

  it('寄出: a courier of the list and a tracking number; the server\'s 422 beside the field; then both shown',
    async () => {
      const f = server(application({ stage: 'approved', stage_name: '准予办理', steps: ['ship'] }))
      vi.stubGlobal('fetch', f)
      const w = await mountPage()
      const dlg = await clickStep(w, 'ship')
      const couriers = [...dlg.querySelector('select[aria-label="快递公司"]').options].map((o) => o.text).filter(Boolean)
      expect(couriers).toEqual(['中国邮政EMS', '顺丰速运', '京东物流', '中通快递', '圆通速递', '申通快递', '韵达快递',
        '极兔速递'])
      type(dlg, '#errand-tracking-no', 'EMS 12')
      await settle()
      submit(dlg)
      await settle()
      await debounce()
      expect(errors(dlg)).toEqual(['请选择快递公司', '运单号应为 6–30 位字母、数字或短横线'])
      const select = dlg.querySelector('select[aria-label="快递公司"]')
      select.value = '中国邮政EMS'
      select.dispatchEvent(new Event('change'))
      type(dlg, '#errand-tracking-no', 'EMS-000000')
      await settle()
      submit(dlg)
      await settle()
      await debounce()
      expect(errors(dlg)).toEqual(['运单号格式不正确']) // the server's, by its field
      type(dlg, '#errand-tracking-no', 'EMS1234567890')
      await settle()
      submit(dlg)
      await settle()
      expect(JSON.parse(posts(f).at(-1).init.body)).toEqual({ action: 'ship', courier: '中国邮政EMS',
        tracking_no: 'EMS1234567890' })
      expect(w.find('[data-test=stage]').text()).toBe('已寄出')
      expect(w.find('[data-test=courier]').text()).toBe('中国邮政EMS')
      expect(w.find('[data-test=tracking-no]').text()).toBe('EMS1234567890')
      w.unmount()
    })

  it('a 409 (moved on meanwhile) is said in a message and the application reloaded with its new steps', async () => {
    const f = server(application(), { conflict: { action: 'forward', message: '该申请需补充材料，不能转交部门',
      then: { stage: 'returned', stage_name: '需补充材料', steps: [] } } })
    vi.stubGlobal('fetch', f)
    const w = await mountPage()
    const dlg = await clickStep(w, 'forward')
    expect(dlg.querySelector('[data-test=forward-to]').textContent).toContain('转交 县卫生健康局 办理')
    submit(dlg)
    await settle()
    expect(messages()).toContain('该申请需补充材料，不能转交部门')
    expect(f.calls.filter((c) => c.method === 'GET')).toHaveLength(2)
    expect(w.find('[data-test=stage]').text()).toBe('需补充材料')
    expect(w.find('[data-test=steps]').exists()).toBe(false)
    w.unmount()
  })
})
