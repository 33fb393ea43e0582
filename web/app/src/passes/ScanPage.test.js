import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import { apiError, fakeFetch, flushPromises, mountScreen, offline } from '../test-support.js'
import ScanPage from './ScanPage.vue'

// The camera is qr-scanner's: here a fake one, whose codes the test "films".
const camera = vi.hoisted(() => ({ onCode: null, onProblem: null, scanner: null, photo: null, fail: false }))
vi.mock('./camera.js', () => ({
  cameraSupported: () => true,
  startCamera: vi.fn(async (video, onCode, onProblem) => {
    if (camera.fail) throw new Error('NotAllowedError')
    camera.onCode = onCode
    camera.onProblem = onProblem
    camera.scanner = { pause: vi.fn(async () => true), start: vi.fn(async () => {}), destroy: vi.fn() }
    return camera.scanner
  }),
  readPhoto: vi.fn(async () => {
    if (!camera.photo) throw new Error('No QR code found')
    return camera.photo
  }),
}))

const SIXIA = '330825100201'
const CODE = 'CQP1.330825.0123456789abcdef.tzz0ab.AAAAAAAAAAAAAAAAAAAAAA'
const STAFF = {
  tenant: '330825', user_id: 'c1', name: '寺卡口',
  grants: [{ role: 'checkpoint_staff', place: SIXIA, place_name: '寺下村' }], modules: ['scan_pass'],
  permissions: { 'places.read': [SIXIA], 'passes.scan': [SIXIA], 'passes.logs': [SIXIA] },
}
const HOLDER = { name: '周**', village: SIXIA, village_name: '寺下村' }
const STOP = {
  id: 's1', result: 'stop', reasons: [{ code: 'not_reported', message: '今日尚未完成健康上报' }], colour: null,
  reported_today: false, holder: HOLDER, checkpoint: SIXIA, scanned_at: '2026-11-29T11:57:27Z',
}
const PASS = { ...STOP, id: 's2', result: 'pass', reasons: [], colour: 'green', reported_today: true }

/** A checkpoint's server: answers scans with `answer(code)` and logs them. */
function server(answer) {
  const log = []
  const fetch = fakeFetch((req) => {
    if (req.path === '/me') return { body: STAFF }
    if (req.method === 'POST' && req.path === '/passes/scan') {
      const r = answer(req.body.code)
      const via = req.body.code.startsWith('CQP1.') ? 'code' : 'short'
      if (r.status === 422) {
        log.unshift({ id: `s${log.length + 1}`, at: '2026-11-29T11:58:00Z', result: 'invalid', reasons: [r.body.error.code], holder: null, village: null, colour: null, via })
      } else if (!r.status) {
        log.unshift({ id: r.id, at: r.scanned_at, result: r.result, reasons: r.reasons.map((x) => x.code), holder: r.holder.name, village: r.holder.village, colour: r.colour, via })
      }
      return r.status ? r : { body: r }
    }
    if (req.method === 'GET' && req.path.startsWith('/passes/scans?')) return { body: { items: [...log], next_cursor: null } }
    return { status: 404, body: { error: { code: 'not_found', message: 'x' } } }
  })
  return { fetch, log }
}

function signIn(me = STAFF) {
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', refresh_token: 'r', tenant: '330825', user_id: me.user_id }))
  localStorage.setItem('cqt.me', JSON.stringify(me))
}

async function open() {
  const screen = await mountScreen(ScanPage, { path: '/pass/scan' })
  for (let i = 0; i < 4; i++) await flushPromises()
  return screen
}

async function settle() {
  for (let i = 0; i < 4; i++) await flushPromises()
}

const scans = (fetch) => fetch.requests().filter((r) => r.path === '/passes/scan')

enableAutoUnmount(afterEach)

describe('扫码核验', () => {
  beforeEach(() => {
    localStorage.clear()
    Object.assign(camera, { onCode: null, scanner: null, photo: null, fail: false })
    window.scrollTo = () => {}
  })
  afterEach(() => vi.unstubAllGlobals())

  it('opens the camera, checks a filmed code at the checkpoint and shows 禁止通行 with the reason, big', async () => {
    signIn()
    const { fetch } = server(() => STOP)
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="checkpoint"]').text()).toBe('卡口：寺下村')
    expect(camera.onCode).toBeTypeOf('function')
    expect(wrapper.find('[data-test="scan-log"]').exists()).toBe(true)

    camera.onCode(CODE)
    camera.onCode(CODE) // the same code again in the next frame: one check
    await settle()
    expect(scans(fetch)).toEqual([expect.objectContaining({ body: { code: CODE, checkpoint: SIXIA } })])
    expect(camera.scanner.pause).toHaveBeenCalled()
    const result = wrapper.find('[data-test="scan-result"]')
    expect(result.attributes('role')).toBe('alert')
    expect(result.classes()).toContain('scan-result--stop')
    expect(result.find('[data-test="scan-verdict"]').text()).toBe('禁止通行')
    expect(result.find('[data-test="scan-reasons"]').text()).toBe('今日尚未完成健康上报')
    expect(result.find('[data-test="scan-holder"]').text()).toBe('持码人：周** · 寺下村')
    expect(result.find('svg').exists()).toBe(true) // a shape, not colour alone

    // The log is read again after the scan, newest first, in words.
    const items = wrapper.findAll('[data-test="scan-log-item"]')
    expect(items).toHaveLength(1)
    expect(items[0].text()).toContain('19:57:27')
    expect(items[0].text()).toContain('禁止')
    expect(items[0].text()).toContain('周** · 寺下村')
    expect(items[0].text()).toContain('未上报')

    // 继续扫码: the camera reads again; a code filmed meanwhile was ignored.
    await wrapper.find('[data-test="scan-next"]').trigger('click')
    await settle()
    expect(camera.scanner.start).toHaveBeenCalled()
    expect(wrapper.find('[data-test="scan-result"]').exists()).toBe(false)
  })

  it('shows 通行 in green with the colour and today\'s report', async () => {
    signIn()
    server(() => PASS)
    const { wrapper } = await open()
    camera.onCode(CODE)
    await settle()
    const result = wrapper.find('[data-test="scan-result"]')
    expect(result.classes()).toContain('scan-result--pass')
    expect(result.find('[data-test="scan-verdict"]').text()).toBe('通行')
    expect(result.text()).toContain('绿码 · 今日已上报')
    expect(result.find('[data-test="scan-reasons"]').exists()).toBe(false)
  })

  it('refuses a tampered code typed by hand with the server\'s message', async () => {
    signIn()
    const { fetch } = server((code) =>
      code === CODE ? PASS : apiError(422, 'pass_forged', '通行码无效（签名不符），请持码人刷新通行码'),
    )
    const { wrapper } = await open()
    await wrapper.find('[data-test="manual-toggle"]').trigger('click')
    const field = wrapper.find('[data-test="manual-code"]')
    expect(wrapper.find('label[for="scan-manual-code"]').text()).toBe('短码或通行码内容')
    await field.setValue(`${CODE.slice(0, -1)}B`)
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(scans(fetch)[0].body.code).toBe(`${CODE.slice(0, -1)}B`)
    const result = wrapper.find('[data-test="scan-result"]')
    expect(result.classes()).toContain('scan-result--invalid')
    expect(result.find('[data-test="scan-verdict"]').text()).toBe('无效通行码')
    expect(result.find('[data-test="scan-message"]').text()).toBe('通行码无效（签名不符），请持码人刷新通行码')
    const [item] = wrapper.findAll('[data-test="scan-log-item"]')
    expect(item.text()).toContain('无效')
    expect(item.text()).toContain('签名不符')
  })

  it('checks a short code typed by hand (手动输入通行码) and marks it in the log', async () => {
    signIn()
    camera.fail = true
    const { fetch } = server((code) => (code.replace(/\s/g, '').toUpperCase() === '7KQ4M2XD' ? PASS : STOP))
    const { wrapper } = await open()
    const toggle = wrapper.find('[data-test="manual-toggle"]')
    expect(toggle.text()).toBe('手动输入通行码')
    await toggle.trigger('click')
    const field = wrapper.find('[data-test="manual-code"]')
    expect(field.element.tagName).toBe('INPUT')
    expect(field.attributes('autocapitalize')).toBe('characters')
    expect(field.attributes('placeholder')).toBe('如：7KQ4 M2XD')
    expect(wrapper.find('#scan-manual-hint').text()).toContain('不含0、O、1、I')
    await field.setValue(' 7kq4 m2xd ')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(scans(fetch)[0].body).toEqual({ code: '7kq4 m2xd', checkpoint: SIXIA }) // the server reads it
    expect(wrapper.find('[data-test="scan-verdict"]').text()).toBe('通行')
    expect(field.element.value).toBe('')
    const [item] = wrapper.findAll('[data-test="scan-log-item"]')
    expect(item.find('[data-test="scan-log-typed"]').text()).toBe('手输短码')
  })

  it('says why short codes are refused: unknown, or too many wrong ones', async () => {
    signIn()
    camera.fail = true
    let tries = 0
    server(() =>
      ++tries === 1
        ? apiError(422, 'pass_code_unknown', '没有这个短码，请核对后重新输入，或请持码人刷新通行码')
        : apiError(429, 'pass_code_throttled', '短码输错次数过多，请42分钟后再试，或扫码核验', { retry_after: 2520 }, { 'Retry-After': '2520' }),
    )
    const { wrapper } = await open()
    await wrapper.find('[data-test="manual-toggle"]').trigger('click')
    await wrapper.find('[data-test="manual-code"]').setValue('AAAA2222')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="scan-verdict"]').text()).toBe('无效通行码')
    expect(wrapper.find('[data-test="scan-message"]').text()).toContain('没有这个短码')
    expect(wrapper.find('[data-test="scan-log-item"]').text()).toContain('短码不存在')

    await wrapper.find('[data-test="manual-code"]').setValue('AAAA2223')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="scan-result"]').exists()).toBe(false)
    expect(wrapper.find('[role="alert"]').text()).toContain('短码输错次数过多')
  })

  it('reads a photo of a code when there is no camera, and says when a photo has none', async () => {
    signIn()
    camera.fail = true
    const { fetch } = server(() => PASS)
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="camera-failed"]').text()).toContain('无法打开摄像头')
    const input = wrapper.find('[data-test="scan-photo"] input[type="file"]')
    expect(wrapper.find('[data-test="scan-photo"]').text()).toBe('选择照片')

    Object.defineProperty(input.element, 'files', { value: [new File(['x'], 'a.jpg')], configurable: true })
    await input.trigger('change')
    await settle()
    expect(wrapper.find('[data-test="photo-problem"]').text()).toContain('照片中没有找到二维码')
    expect(scans(fetch)).toEqual([])

    camera.photo = CODE
    await input.trigger('change')
    await settle()
    expect(scans(fetch)[0].body.code).toBe(CODE)
    expect(wrapper.find('[data-test="scan-verdict"]').text()).toBe('通行')
  })

  it('keeps the code when there is no signal, and checks it again on 重试', async () => {
    signIn()
    const { fetch } = server(() => PASS)
    const { wrapper } = await open()
    fakeFetch(offline)
    camera.onCode(CODE)
    await settle()
    expect(wrapper.find('[role="alert"]').text()).toContain('网络不通')
    expect(wrapper.find('[data-test="scan-result"]').exists()).toBe(false)
    const again = server(() => PASS)
    await wrapper.find('[data-test="retry"]').trigger('click')
    await settle()
    expect(scans(again.fetch)[0].body.code).toBe(CODE)
    expect(wrapper.find('[data-test="scan-verdict"]').text()).toBe('通行')
    expect(scans(fetch)).toEqual([])
  })

  it('says when the camera runs but cannot read codes', async () => {
    signIn()
    server(() => PASS)
    const { wrapper } = await open()
    camera.onProblem(new Error('SecurityError'))
    await flushPromises()
    expect(wrapper.find('[data-test="decode-failed"]').text()).toContain('请手动输入通行码')
  })

  it('is only for checkpoint staff', async () => {
    const villager = { ...STAFF, grants: [{ role: 'villager', place: `${SIXIA}G01`, household: 'h1' }], permissions: {} }
    signIn(villager)
    fakeFetch(() => ({ body: villager }))
    const { wrapper } = await open()
    expect(wrapper.find('[data-test="not-checkpoint"]').text()).toBe('只有卡口值守人员可以扫码核验。')
    expect(camera.onCode).toBeNull()
  })

  it('speaks English too', async () => {
    const { setLocale } = await import('../i18n/index.js')
    await setLocale('en')
    try {
      signIn()
      server(() => STOP)
      const { wrapper } = await open()
      camera.onCode(CODE)
      await settle()
      expect(wrapper.find('[data-test="scan-verdict"]').text()).toBe('Do not let pass')
      expect(wrapper.find('[data-test="scan-holder"]').text()).toBe('Holder: 周** · 寺下村')
      expect(wrapper.find('[data-test="scan-log-item"]').text()).toContain('Not reported')
    } finally {
      await setLocale('zh-CN')
    }
  })
})
