import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError } from '@shared/api.js'
import { errorText, fieldErrorsOf, retryable, unplacedErrors } from './errors.js'

const t = (key) => `<${key}>`

describe('errors a person understands', () => {
  it('uses the server message, or a sentence for the network and server failures', () => {
    expect(errorText(new ApiError(404, { code: 'invalid_invite', message: '邀请码无效' }), t)).toBe('邀请码无效')
    expect(errorText(new NetworkError(new TypeError()), t)).toBe('<error.network>')
    expect(errorText(new ApiError(503, { code: 'service_unavailable', message: 'x' }), t)).toBe('<error.server>')
    expect(errorText(new Error('boom'), t)).toBe('<error.unknown>')
  })
  it('offers a retry only where trying again can help', () => {
    expect(retryable(new NetworkError())).toBe(true)
    expect(retryable(new ApiError(503, {}))).toBe(true)
    expect(retryable(new ApiError(422, {}))).toBe(false)
  })
  it('places field errors, including codes that concern one field', () => {
    const e = new ApiError(422, { code: 'validation_failed', message: 'm', details: [{ field: 'members.0.name', message: '内容过短' }] })
    expect(fieldErrorsOf(e)).toEqual({ 'members.0.name': '内容过短' })
    const wrong = new ApiError(404, { code: 'invalid_invite', message: '邀请码无效' })
    expect(fieldErrorsOf(wrong, { invalid_invite: 'code' })).toEqual({ code: '邀请码无效' })
    expect(unplacedErrors({ members: '身份证号已登记', address: 'x' }, ['address'])).toEqual(['身份证号已登记'])
  })
  it('reads Retry-After from the header or the details', () => {
    expect(new ApiError(429, { details: { retry_after: 60 } }, 42).retryAfter).toBe(42)
    expect(new ApiError(429, { details: { retry_after: 60 } }).retryAfter).toBe(60)
    expect(new ApiError(422, { details: [] }).retryAfter).toBeNull()
  })
})
