// Helpers for the component tests (vitest + @vue/test-utils in jsdom).
import { createPinia, setActivePinia } from 'pinia'
import ElementPlus from 'element-plus'
import { mount } from '@vue/test-utils'
import { i18n, setLocale } from '../i18n/index.js'

export function mountConsole(component, { props, elementPlus = true, stubs, pinia } = {}) {
  const p = pinia || createPinia()
  setActivePinia(p)
  setLocale('zh-CN')
  const plugins = [i18n, p]
  if (elementPlus) plugins.push(ElementPlus)
  return mount(component, { props, attachTo: document.body, global: { plugins, stubs } })
}

/** A fetch double: handlers is a list of [method, urlPart, responder(url, init) → {status, body} | Error]. */
export function fakeFetch(handlers) {
  const calls = []
  const fn = async (url, init = {}) => {
    const method = (init.method || 'GET').toUpperCase()
    calls.push({ url: String(url), method, init })
    const h = handlers.find(([m, part]) => m === method && String(url).includes(part))
    if (!h) throw new Error(`unexpected ${method} ${url}`)
    const out = typeof h[2] === 'function' ? h[2](String(url), init, calls) : h[2]
    if (out instanceof Error) throw out
    const { status = 200, body = null, text } = out
    return {
      ok: status >= 200 && status < 300,
      status,
      json: async () => (body === null ? Promise.reject(new Error('no body')) : body),
      text: async () => text ?? JSON.stringify(body),
    }
  }
  fn.calls = calls
  return fn
}

export const flush = () => new Promise((r) => setTimeout(r, 0))

/**
 * Element Plus selects as native ones (jsdom cannot open their poppers): pick with
 * `w.find('select[aria-label="…"]').setValue(value)`. Option values come back as strings.
 */
export const nativeSelects = {
  ElSelect: { props: ['modelValue', 'disabled'], emits: ['update:modelValue'], inheritAttrs: false,
    template: '<select :aria-label="$attrs[\'aria-label\']" :disabled="disabled" :value="modelValue ?? \'\'" '
      + '@change="$emit(\'update:modelValue\', $event.target.value)"><option value=""></option><slot /></select>' },
  ElOption: { props: ['value', 'label'], template: '<option :value="value">{{ label }}</option>' },
  ElOptionGroup: { props: ['label'], template: '<optgroup :label="label"><slot /></optgroup>' },
}
