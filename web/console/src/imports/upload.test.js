import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeFetch } from '../common/testing.js'
import { ImportJob, UploadError, safeFilename } from './upload.js'

const FORM = { key: '330825/imports/places/abc.csv', url: 'http://127.0.0.1:9/bucket', max_bytes: 5242880,
  fields: { key: '330825/imports/places/abc.csv', policy: 'p', 'x-amz-signature': 's' } }

afterEach(() => vi.unstubAllGlobals())

function csv(name = 'places.csv') {
  return new File(['编码,名称\n330825001,东华街道\n'], name, { type: 'text/csv' })
}

describe('ImportJob', () => {
  it('asks for a form, posts every field then the file last, previews, then commits the plan with an Idempotency-Key',
    async () => {
      const f = fakeFetch([
        ['POST', '/api/imports/uploads', { status: 201, body: FORM }],
        ['POST', FORM.url, { status: 204, body: null }],
        ['POST', '/api/imports/preview', { status: 200, body: { plan: 'p1', can_commit: true } }],
        ['POST', '/api/imports', { status: 201, body: { kind: 'places', rows: 1, created: 1 } }],
      ])
      vi.stubGlobal('fetch', f)
      const stages = []
      const job = new ImportJob('places', csv())
      const preview = await job.preview((s) => stages.push(s))
      expect(preview.plan).toBe('p1')
      const out = await job.commit(preview.plan, (s) => stages.push(s))
      expect(out).toEqual({ kind: 'places', rows: 1, created: 1 })
      expect(stages).toEqual(['uploading', 'previewing', 'importing'])
      expect(JSON.parse(f.calls[0].init.body)).toEqual({ kind: 'places', filename: 'places.csv' })
      const body = f.calls[1].init.body
      expect([...body.keys()]).toEqual(['key', 'policy', 'x-amz-signature', 'file'])
      expect(JSON.parse(f.calls[2].init.body)).toEqual({ kind: 'places', key: FORM.key })
      expect(JSON.parse(f.calls[3].init.body)).toEqual({ kind: 'places', key: FORM.key, plan: 'p1' })
      expect(f.calls[3].init.headers['Idempotency-Key']).toMatch(/.{8,}/)
    })

  it('a retry after a network failure does not upload again and the commit reuses the same key', async () => {
    let attempts = 0
    const f = fakeFetch([
      ['POST', '/api/imports/uploads', { status: 201, body: FORM }],
      ['POST', FORM.url, { status: 204, body: null }],
      ['POST', '/api/imports/preview', () => (++attempts === 1 ? new TypeError('offline')
        : { status: 200, body: { plan: 'p1' } })],
      ['POST', '/api/imports', () => (++attempts === 3 ? new TypeError('offline')
        : { status: 201, body: { kind: 'places', rows: 1, created: 1 } })],
    ])
    vi.stubGlobal('fetch', f)
    const job = new ImportJob('places', csv())
    await expect(job.preview()).rejects.toMatchObject({ message: 'network' })
    await job.preview()
    expect(f.calls.filter((c) => c.url === FORM.url)).toHaveLength(1)
    await expect(job.commit('p1')).rejects.toMatchObject({ message: 'network' })
    await job.commit('p1')
    const imports = f.calls.filter((c) => c.url === '/api/imports')
    expect(imports).toHaveLength(2)
    expect(imports[0].init.headers['Idempotency-Key']).toBe(imports[1].init.headers['Idempotency-Key'])
  })

  it('an upload the browser cannot send (offline, CORS) is an UploadError with status 0', async () => {
    vi.stubGlobal('fetch', fakeFetch([
      ['POST', '/api/imports/uploads', { status: 201, body: FORM }],
      ['POST', FORM.url, () => new TypeError('Failed to fetch')],
    ]))
    const err = await new ImportJob('places', csv()).preview().catch((e) => e)
    expect(err).toBeInstanceOf(UploadError)
    expect(err.status).toBe(0)
  })

  it('reads the S3 error message', async () => {
    vi.stubGlobal('fetch', fakeFetch([
      ['POST', '/api/imports/uploads', { status: 201, body: FORM }],
      ['POST', FORM.url, { status: 403, text: '<Error><Code>AccessDenied</Code><Message>Policy expired</Message></Error>' }],
    ]))
    const err = await new ImportJob('places', csv()).preview().catch((e) => e)
    expect(err).toMatchObject({ status: 403, message: 'Policy expired' })
  })
})

describe('safeFilename', () => {
  it('keeps a good name and replaces one the API would refuse', () => {
    expect(safeFilename('乡镇.xlsx', 'places')).toBe('乡镇.xlsx')
    expect(safeFilename('a.csv', 'places')).toBe('a.csv')
    expect(safeFilename(`${'x'.repeat(130)}.CSV`, 'households')).toBe('households.csv')
  })
})
