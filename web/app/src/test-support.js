// Helpers for component tests: mount a screen with the app's plugins, and a fake fetch for /api.
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { vi } from 'vitest'
import Vant from 'vant'
import { i18n } from './i18n/index.js'

export async function mountScreen(component, { path = '/', props, routes = [], before } = {}) {
  const pinia = createPinia()
  setActivePinia(pinia)
  before?.() // say, what another screen left in the stores
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:rest(.*)*', name: 'any', component: { render: () => null } }],
  })
  router.addRoute({ path: '/field/h/:hid', name: 'field-household', component: { render: () => null } })
  router.addRoute({ path: '/field', name: 'field', component: { render: () => null } })
  for (const r of routes) router.addRoute({ component: { render: () => null }, ...r })
  await router.push(path)
  const wrapper = mount(component, { props, attachTo: document.body, global: { plugins: [pinia, router, i18n, Vant] } })
  return { wrapper, router }
}

/**
 * Replace fetch: `answer({method, path, body, headers})` returns {status, body, headers} or throws (no signal).
 * Returns the vi.fn, whose .requests() lists what was asked.
 */
export function fakeFetch(answer) {
  const fn = vi.fn(async (url, init = {}) => {
    const req = {
      method: init.method || 'GET',
      path: String(url).replace(/^\/api/, ''),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body, // FormData as it is
      headers: init.headers || {},
    }
    const r = await answer(req)
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), {
      status: r.status ?? 200,
      headers: { 'Content-Type': 'application/json', ...(r.headers || {}) },
    })
  })
  fn.requests = () =>
    fn.mock.calls.map(([url, init = {}]) => ({
      method: init.method || 'GET',
      path: String(url).replace(/^\/api/, ''),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body, // FormData as it is
      headers: init.headers || {},
    }))
  vi.stubGlobal('fetch', fn)
  return fn
}

export const offline = () => {
  throw new TypeError('Failed to fetch')
}

export const apiError = (status, code, message, details = null, headers = {}) => ({
  status,
  body: { error: { code, message, details } },
  headers,
})

export const flushPromises = () => new Promise((r) => setTimeout(r, 0))
