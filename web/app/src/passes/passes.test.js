import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch } from '../test-support.js'
import {
  clock,
  forgetPass,
  groupShort,
  issuePass,
  keepPass,
  keepStatus,
  keptPass,
  keptPasses,
  lastChoice,
  masked,
  passStatus,
  rememberChoice,
  secondsLeft,
} from './passes.js'
import { checkCode, checkpoints, villageName } from './scan.js'
import { formatClock } from './time.js'

const PASS = {
  id: 'p1', code: 'CQP1.330825.0123456789abcdef.tzz0ab.AAAAAAAAAAAAAAAAAAAAAA', qr_svg: '<svg/>', member: 'm1',
  member_name: '周梓萱', household: 'h1', expires_at: '2026-11-30T12:00:00Z', short_code: '7KQ4M2XD',
  verdict: { result: 'stop', reasons: [{ code: 'not_reported', message: '今日尚未完成健康上报' }], colour: null, reported_today: false, checked_at: '2026-11-29T12:00:00Z' },
}
const signIn = (user_id) =>
  localStorage.setItem('cqt.session', JSON.stringify({ access_token: 'a', tenant: '330825', user_id }))

describe('the pass kept on the phone', () => {
  beforeEach(() => {
    localStorage.clear()
    signIn('u1')
  })

  it('counts down in whole seconds and reads as hh:mm:ss', () => {
    const now = Date.parse('2026-11-29T12:00:00.200Z')
    expect(secondsLeft(PASS.expires_at, now)).toBe(86400)
    expect(secondsLeft(PASS.expires_at, Date.parse('2026-12-01T00:00:00Z'))).toBe(0)
    expect(clock(86399)).toBe('23:59:59')
    expect(clock(61)).toBe('00:01:01')
    expect(clock(0)).toBe('00:00:00')
  })

  it('shows until it expires, then is forgotten', () => {
    keepPass({ ...PASS, extra: 'not kept' })
    const before = Date.parse('2026-11-30T11:59:59Z')
    expect(keptPass('m1', before)).toEqual(PASS)
    expect(keptPasses(before)).toHaveLength(1)
    expect(keptPass('m1', Date.parse('2026-11-30T12:00:00Z'))).toBeNull()
    expect(keptPass('m1', before)).toBeNull()
  })

  it('is kept per signed-in person, and dropped when revoked', () => {
    const now = Date.parse('2026-11-29T12:00:00Z')
    keepPass(PASS)
    rememberChoice('h1', 'm1')
    signIn('u2')
    expect(keptPass('m1', now)).toBeNull()
    expect(lastChoice()).toBeNull()
    signIn('u1')
    expect(keptPass('m1', now)).toEqual(PASS)
    expect(lastChoice()).toEqual({ household: 'h1', member: 'm1' })
    forgetPass('m1')
    expect(keptPass('m1', now)).toBeNull()
  })

  it('keeps the latest verdict of the pass it keeps, with the time it was checked', () => {
    const now = Date.parse('2026-11-29T13:00:00Z')
    keepPass(PASS)
    const green = { result: 'pass', reasons: [], colour: 'green', reported_today: true, checked_at: '2026-11-29T12:30:00Z' }
    keepStatus('m1', { id: 'p1', short_code: '7KQ4M2XD', verdict: green })
    expect(keptPass('m1', now).verdict).toEqual(green)
    keepStatus('m1', { id: 'p0', short_code: 'AAAA2222', verdict: PASS.verdict }) // an older pass: not this one
    expect(keptPass('m1', now)).toMatchObject({ verdict: green, short_code: '7KQ4M2XD' })
    keepStatus('m2', { id: 'p1', verdict: PASS.verdict }) // nothing kept for m2
    expect(keptPasses(now)).toHaveLength(1)
  })

  it('groups a short code in fours to read out', () => {
    expect(groupShort('7KQ4M2XD')).toBe('7KQ4 M2XD')
    expect(groupShort(null)).toBe('')
  })

  it('compares phone numbers as the server masks them', () => {
    expect(masked('13812345678')).toBe('138****5678')
    expect(masked('138****5678')).toBe('138****5678')
    expect(masked(null)).toBe('')
  })
})

describe('issuing and checking', () => {
  beforeEach(() => {
    localStorage.clear()
    signIn('u1')
  })
  afterEach(() => vi.unstubAllGlobals())

  it('issues with the Idempotency-Key given', async () => {
    const fetch = fakeFetch(() => ({ status: 201, body: PASS }))
    expect(await issuePass('h1', 'm1', 'key-12345678')).toEqual(PASS)
    expect(fetch.requests()[0]).toMatchObject({
      method: 'POST', path: '/passes', body: { household: 'h1', member: 'm1' },
      headers: { 'Idempotency-Key': 'key-12345678' },
    })
  })

  it('asks what the checkpoint would say of a pass', async () => {
    const fetch = fakeFetch(() => ({ body: { id: 'p1', short_code: '7KQ4M2XD', expires_at: PASS.expires_at, verdict: PASS.verdict } }))
    expect((await passStatus('p1')).verdict.result).toBe('stop')
    expect(fetch.requests()[0]).toMatchObject({ method: 'GET', path: '/passes/p1/status' })
  })

  it('turns an unknown short code into an answer like any refused code', async () => {
    fakeFetch(() => ({ status: 422, body: { error: { code: 'pass_code_unknown', message: '没有这个短码，请核对后重新输入，或请持码人刷新通行码' } } }))
    expect(await checkCode('7KQ4 M2XD', '330825100201')).toMatchObject({ kind: 'invalid', code: 'pass_code_unknown' })
  })

  it('turns a refused code into an answer, and remembers village names', async () => {
    fakeFetch((req) =>
      req.body.code === 'bad'
        ? { status: 422, body: { error: { code: 'pass_forged', message: '通行码无效（签名不符），请持码人刷新通行码' } } }
        : { body: { id: 's1', result: 'stop', reasons: [], holder: { name: '周**', village: '330825100201', village_name: '寺下村' } } },
    )
    expect(await checkCode(' bad ', '330825100201')).toEqual({
      kind: 'invalid', code: 'pass_forged', message: '通行码无效（签名不符），请持码人刷新通行码',
    })
    expect((await checkCode('CQP1.x', '330825100201')).kind).toBe('stop')
    expect(villageName('330825100201')).toBe('寺下村')
    expect(villageName('330825100202')).toBe('330825100202')
  })

  it('lets other refusals through as errors', async () => {
    fakeFetch(() => ({ status: 403, body: { error: { code: 'forbidden_scope', message: '只有卡口值守人员可以扫码' } } }))
    await expect(checkCode('x', null)).rejects.toMatchObject({ status: 403, code: 'forbidden_scope' })
  })

  it('finds the checkpoints where /api/me says one may scan, named from the grants; shows times in the county', () => {
    const me = {
      grants: [
        { role: 'villager', place: '330825100201G01', household: 'h1' },
        { role: 'checkpoint_staff', place: '330825100201', place_name: '寺下村' },
        { role: 'checkpoint_staff', place: '330825100202' },
      ],
      permissions: { 'passes.scan': ['330825100201', '330825100202'], 'passes.logs': ['330825100201'] },
    }
    expect(checkpoints(me)).toEqual([{ place: '330825100201', name: '寺下村' }, { place: '330825100202',
      name: '330825100202' }])
    expect(checkpoints({ grants: me.grants })).toEqual([]) // a kept me from before permissions
    expect(checkpoints({ grants: [], permissions: {} })).toEqual([])
    expect(formatClock('2026-11-29T16:05:07Z')).toBe('00:05:07')
  })
})
