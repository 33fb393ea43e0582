import { afterEach, describe, expect, it, vi } from 'vitest'
import { loadSite, resetSite } from './site.js'

function serve(response) {
  const fn = vi.fn(async () => (response instanceof Error ? Promise.reject(response) : response))
  vi.stubGlobal('fetch', fn)
  return fn
}

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

describe('the site settings (/site.json, written by the deployment)', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    resetSite()
  })

  it('reads the ICP recordal number once per page load', async () => {
    const fetch = serve(json({ icp_recordal: '浙ICP备12345678号-1', icp_url: 'https://beian.miit.gov.cn/' }))
    const none = { cell: null, directory: null }
    expect(await loadSite()).toEqual({ icp: '浙ICP备12345678号-1', ...none })
    expect(await loadSite()).toEqual({ icp: '浙ICP备12345678号-1', ...none })
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch.mock.calls[0][0]).toBe('/site.json')
  })

  it.each([
    ['outside China (no number)', json({})],
    ['not deployed (404)', new Response('', { status: 404 })],
    ['the app page instead (a local server)', new Response('<!doctype html>', { headers: { 'Content-Type': 'text/html' } })],
    ['something that is not a recordal number', json({ icp_recordal: '<img src=x onerror=alert(1)>' })],
    ['offline', new TypeError('Failed to fetch')],
  ])('shows nothing when %s', async (_, response) => {
    serve(response)
    expect(await loadSite()).toEqual({ icp: null, cell: null, directory: null })
  })

  it("names the site's cell and the cells' directory", async () => {
    serve(json({ cell: 'prod-cn-north-1', directory: 'https://d1.cloudfront.cn/directory.json' }))
    expect(await loadSite()).toEqual({
      icp: null,
      cell: 'prod-cn-north-1',
      directory: 'https://d1.cloudfront.cn/directory.json',
    })
  })

  it('ignores a cell or directory that is not a string', async () => {
    serve(json({ cell: 7, directory: { url: 'x' } }))
    expect(await loadSite()).toEqual({ icp: null, cell: null, directory: null })
  })
})
