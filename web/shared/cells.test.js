import { describe, expect, it, vi } from 'vitest'
import {
  countyInLink,
  followCountyLink,
  rememberCounty,
  routeCounty,
  takeRememberedCounty,
  withoutCountyLink,
} from './cells.js'

const HERE = { cell: 'prod-cn-north-1', directory: 'https://d1.cloudfront.cn/directory.json' }
const ENTRY = {
  cell: 'prod-cn-north-1',
  region: 'cn-north-1',
  partition: 'aws-cn',
  web: 'https://cqt.example.cn',
  api: 'https://cqt.example.cn/api',
  name: '龙游县',
}
const OTHER = { ...ENTRY, cell: 'prod-cn-northwest-1', region: 'cn-northwest-1', web: 'https://b.example.cn/', name: '乙县' }

function at(href) {
  const u = new URL(href)
  return { origin: u.origin, protocol: u.protocol, pathname: u.pathname, search: u.search, hash: u.hash, href }
}

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

function directory(counties) {
  return vi.fn(async () => json({ counties }))
}

const route = (code, fetchImpl, { site = HERE, href = 'https://cqt.example.cn/?county=' + code } = {}) =>
  routeCounty(code, { site, fetchImpl, location: at(href) })

describe("a county's link finds its cell in the cells' directory", () => {
  it('stays in its own cell, reading the directory fresh and without credentials', async () => {
    const fetchImpl = directory({ 330825: ENTRY })
    expect(await route('330825', fetchImpl)).toEqual({ url: null, here: true, unknown: false })
    expect(fetchImpl).toHaveBeenCalledTimes(1)
    const [url, init] = fetchImpl.mock.calls[0]
    expect(url).toBe('https://d1.cloudfront.cn/directory.json')
    expect(init).toMatchObject({ cache: 'no-cache', credentials: 'omit' })
  })

  it("goes to the same page of another cell's web app (trailing slash handled)", async () => {
    const fetchImpl = directory({ 330825: ENTRY, 330881: OTHER })
    expect(await route('330881', fetchImpl)).toEqual({
      url: 'https://b.example.cn/?county=330881',
      here: false,
      unknown: false,
    })
    const console = await route('330881', fetchImpl, { href: 'https://cqt.example.cn/console/?county=330881#x' })
    expect(console.url).toBe('https://b.example.cn/console/?county=330881#x')
  })

  it("keeps a web app's own path prefix", async () => {
    const fetchImpl = directory({ 330881: { ...OTHER, web: 'https://b.example.cn/cqt//' } })
    expect((await route('330881', fetchImpl)).url).toBe('https://b.example.cn/cqt/?county=330881')
  })

  it("goes to its own cell's address when opened on another (e.g. CloudFront's default domain)", async () => {
    const fetchImpl = directory({ 330825: ENTRY })
    const found = await route('330825', fetchImpl, { href: 'https://d9.cloudfront.cn/?county=330825' })
    expect(found.url).toBe('https://cqt.example.cn/?county=330825')
  })

  it('never sends a page to itself, whatever cell the directory names', async () => {
    const fetchImpl = directory({ 330881: { ...OTHER, web: 'https://cqt.example.cn' } })
    expect(await route('330881', fetchImpl)).toEqual({ url: null, here: true, unknown: false })
  })

  it('stays when the other cell has no address yet, and is here when the cell is this one', async () => {
    expect(await route('330881', directory({ 330881: { ...OTHER, web: null } }))).toEqual({
      url: null,
      here: false,
      unknown: false,
    })
    expect(await route('330825', directory({ 330825: { ...ENTRY, web: null } }))).toEqual({
      url: null,
      here: true,
      unknown: false,
    })
  })

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['plain http from an https page', 'http://b.example.cn'],
    ['credentials in the address', 'https://user:pw@b.example.cn'],
    ['not an address', 'b.example.cn'],
    ['not a string', 42],
  ])('never goes to a web address with %s', async (_, web) => {
    const found = await route('330881', directory({ 330881: { ...OTHER, web } }))
    expect(found.url).toBeNull()
    expect(found.here).toBe(false)
  })

  it('follows plain http between local cells (an http page)', async () => {
    const fetchImpl = directory({ 330881: { ...OTHER, web: 'http://127.0.0.1:9000' } })
    const site = { cell: 'local-cn-north-1', directory: '/__dev/directory.json' }
    const found = await route('330881', fetchImpl, { site, href: 'http://127.0.0.1:8000/?county=330881' })
    expect(found.url).toBe('http://127.0.0.1:9000/?county=330881')
    expect(fetchImpl.mock.calls[0][0]).toBe('http://127.0.0.1:8000/__dev/directory.json')
  })

  it('says so when the directory does not list the county', async () => {
    const fetchImpl = directory({ 330825: ENTRY })
    expect(await route('110101', fetchImpl)).toEqual({ url: null, here: false, unknown: true })
    expect(await route('constructor', fetchImpl)).toEqual({ url: null, here: false, unknown: true })
    expect(await route('000000', directory({}))).toMatchObject({ unknown: true })
  })

  it.each([['33082'], ['3308250'], ['33082a'], [' 330825'], [''], [null], [330825]])(
    'says %j is no county without asking the directory',
    async (code) => {
      const fetchImpl = directory({ 330825: ENTRY })
      expect(await route(code, fetchImpl)).toEqual({ url: null, here: false, unknown: true })
      expect(fetchImpl).not.toHaveBeenCalled()
    },
  )

  it.each([
    ['no directory', {}],
    ['no site.json', { cell: null, directory: null }],
    ['a protocol-relative directory', { directory: '//evil.example/directory.json' }],
    ['a plain-http directory', { directory: 'http://d1.cloudfront.cn/directory.json' }],
    ['a directory that is no address', { directory: 'https://' }],
  ])('stays when the site names %s', async (_, site) => {
    const fetchImpl = directory({ 330881: OTHER })
    expect(await route('330881', fetchImpl, { site })).toEqual({ url: null, here: false, unknown: false })
    expect(fetchImpl).not.toHaveBeenCalled()
  })

  it.each([
    ['offline', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch')))],
    ['refused by CORS or CSP', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch')))],
    ['missing (404)', vi.fn(async () => new Response('', { status: 404 }))],
    ['not JSON', vi.fn(async () => new Response('<!doctype html>', { headers: { 'Content-Type': 'text/html' } }))],
    ['without counties', vi.fn(async () => json({ cells: {} }))],
    ['with counties that are a list', vi.fn(async () => json({ counties: ['330881'] }))],
    ['null', vi.fn(async () => json(null))],
    ['with an entry that is not an object', directory({ 330881: 'https://b.example.cn' })],
  ])('stays when the directory is %s', async (_, fetchImpl) => {
    expect(await route('330881', fetchImpl)).toEqual({ url: null, here: false, unknown: false })
  })

  it('stays when the directory does not answer in time', async () => {
    vi.useFakeTimers()
    try {
      const fetchImpl = vi.fn(
        (_, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      )
      const pending = routeCounty('330881', { site: HERE, fetchImpl, location: at('https://cqt.example.cn/'), timeoutMs: 50 })
      await vi.advanceTimersByTimeAsync(60)
      expect(await pending).toEqual({ url: null, here: false, unknown: false })
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('the county a link opened is remembered for sign-in', () => {
  it('once, for a week', () => {
    rememberCounty('330825', localStorage, 1000)
    expect(takeRememberedCounty(localStorage, 2000)).toBe('330825')
    expect(takeRememberedCounty(localStorage, 2000)).toBeNull() // forgotten as it is read
    rememberCounty('330825', localStorage, 1000)
    expect(takeRememberedCounty(localStorage, 1000 + 8 * 24 * 3600 * 1000)).toBeNull()
  })

  it('ignores what it cannot read', () => {
    localStorage.setItem('cqt.county', '{not json')
    expect(takeRememberedCounty()).toBeNull()
    localStorage.setItem('cqt.county', JSON.stringify({ code: '<b>', at: Date.now() }))
    expect(takeRememberedCounty()).toBeNull()
    const full = { setItem: () => { throw new Error('QuotaExceeded') } }
    expect(() => rememberCounty('330825', full)).not.toThrow()
  })
})

describe('a page starts by following the county link in its address', () => {
  const loadSite = async () => HERE

  it('does nothing without one', async () => {
    const fetchImpl = vi.fn()
    const location = at('https://cqt.example.cn/signin')
    expect(countyInLink(location)).toBeNull()
    expect(await followCountyLink({ loadSite, fetchImpl, location, storage: localStorage })).toBeNull()
    expect(fetchImpl).not.toHaveBeenCalled()
  })

  it('goes to the page as it was opened, whatever the router did meanwhile', async () => {
    const location = at('https://cqt.example.cn/console/?county=330881')
    const slowSite = async () => {
      Object.assign(location, at('https://cqt.example.cn/console/signin')) // the router moved on
      return HERE
    }
    const found = await followCountyLink({ loadSite: slowSite, fetchImpl: directory({ 330881: OTHER }), location })
    expect(found.url).toBe('https://b.example.cn/console/?county=330881')
  })

  it('remembers a county of this cell', async () => {
    localStorage.clear()
    const location = at('https://cqt.example.cn/?county=330825')
    const found = await followCountyLink({ loadSite, fetchImpl: directory({ 330825: ENTRY }), location })
    expect(found).toEqual({ url: null, here: true, unknown: false })
    expect(takeRememberedCounty()).toBe('330825')
  })

  it('remembers nothing of an unknown county', async () => {
    localStorage.clear()
    const location = at('https://cqt.example.cn/?county=999999')
    const found = await followCountyLink({ loadSite, fetchImpl: directory({ 330825: ENTRY }), location })
    expect(found.unknown).toBe(true)
    expect(takeRememberedCounty()).toBeNull()
  })
})

describe("the router drops the link's code from the address", () => {
  it('keeps the rest of the address', () => {
    expect(withoutCountyLink({ path: '/console/', query: { county: '330825', x: '1' }, hash: '#top' })).toEqual({
      path: '/console/',
      query: { x: '1' },
      hash: '#top',
      replace: true,
    })
  })

  it('lets any other navigation through', () => {
    expect(withoutCountyLink({ path: '/', query: { next: '/?county=1' }, hash: '' })).toBe(true)
  })
})
