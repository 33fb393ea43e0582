// Per-phone preferences (elder mode, language), kept in localStorage so they survive restarts and sign-outs.
import { reactive } from 'vue'
import { setLocale } from '../i18n/index.js'

const KEY = 'cqt.prefs'
const DEFAULTS = { elder: false, locale: 'zh-CN' }

function load() {
  try {
    return { ...DEFAULTS, ...JSON.parse(localStorage.getItem(KEY)) }
  } catch {
    return { ...DEFAULTS }
  }
}

export const prefs = reactive(load())

function save() {
  localStorage.setItem(KEY, JSON.stringify(prefs))
}

/** 长辈模式: larger type and touch targets (see theme.css `html.elder`), a simpler home page. */
export function setElderMode(on) {
  prefs.elder = Boolean(on)
  save()
  document.documentElement.classList.toggle('elder', prefs.elder)
}

export async function setLanguage(locale) {
  prefs.locale = await setLocale(locale)
  save()
}

/** Apply the stored preferences at start-up. */
export function applyPrefs() {
  document.documentElement.classList.toggle('elder', prefs.elder)
  return prefs.locale === 'zh-CN' ? Promise.resolve() : setLanguage(prefs.locale)
}
