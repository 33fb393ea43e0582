import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError } from '@shared/api.js'
import { useForm } from './useForm.js'

describe('useForm', () => {
  it('puts 422 details next to their fields', async () => {
    const f = useForm()
    await f.submit(async () => {
      throw new ApiError(422, { code: 'validation_failed', message: '提交的内容不符合要求',
        details: [{ field: 'phone', code: 'string_too_short', message: '内容过短' }] })
    })
    expect(f.fieldErrors.phone).toBe('内容过短')
    expect(f.error.value.message).toBe('提交的内容不符合要求')
  })

  it('keeps the Idempotency-Key while the body is unchanged (a retry cannot create twice)', async () => {
    const f = useForm()
    const body = { code: '330825001', name: '东华街道' }
    const k1 = f.keyFor(body)
    await f.submit(async () => {
      throw new NetworkError(new TypeError('offline'))
    })
    expect(f.keyFor({ ...body })).toBe(k1)
    expect(f.keyFor({ ...body, name: '别的' })).not.toBe(k1)
  })

  it('a success starts a new action with a new key', async () => {
    const f = useForm()
    const body = { a: 1 }
    const k1 = f.keyFor(body)
    await f.submit(async () => 'ok')
    expect(f.keyFor(body)).not.toBe(k1)
  })
})

describe('useForm.track', () => {
  it('a changed field loses its messages; the others keep theirs', async () => {
    const { nextTick, reactive } = await import('vue')
    const f = useForm()
    const model = reactive({ phone: '1', name: '' })
    const local = reactive({ phone: '请输入正确的手机号', name: '请填写姓名' })
    f.track(model, local)
    f.fieldErrors.phone = '内容过短'
    model.phone = '13800000000'
    await nextTick()
    expect(local.phone).toBe('')
    expect(f.fieldErrors.phone).toBeUndefined()
    expect(local.name).toBe('请填写姓名')
  })
})
