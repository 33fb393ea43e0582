import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch } from '../test-support.js'
import {
  clock,
  forgetPass,
  issuePass,
  keepPass,
  keptPass,
  keptPasses,
  lastChoice,
  masked,
  rememberChoice,
  secondsLeft,
} from './passes.js'
import { checkCode, checkpoints, villageName } from './scan.js'
import { formatClock } from './time.js'

const PASS = {
  id: 'p1', code: 'CQP1.330825.0123456789abcdef.tzz0ab.AAAAAAAAAAAAAAAAAAAAAA', qr_svg: '<svg/>', member: 'm1',
  member_name: '周梓萱', household: 'h1', expires_at: '2026-11-30T12:00:00Z',
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

  it('finds the checkpoints in the grants, and shows times in the county', () => {
    const me = {
      grants: [
        { role: 'villager', place: '330825100201G01', household: 'h1' },
        { role: 'checkpoint_staff', place: '330825100201', place_name: '寺下村' },
      ],
    }
    expect(checkpoints(me)).toEqual([{ place: '330825100201', name: '寺下村' }])
    expect(checkpoints({ grants: [] })).toEqual([])
    expect(formatClock('2026-11-29T16:05:07Z')).toBe('00:05:07')
  })
})
