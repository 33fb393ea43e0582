// zh-CN by default, English second; Element Plus follows the same choice (see App.vue).
import { computed } from 'vue'
import { createI18n } from 'vue-i18n'
import elEn from 'element-plus/es/locale/lang/en'
import elZhCn from 'element-plus/es/locale/lang/zh-cn'
import en from './en.js'
import zhCN from './zh-CN.js'

const STORE = 'cqt.console.locale'
export const LOCALES = [
  { id: 'zh-CN', label: '简体中文' },
  { id: 'en', label: 'English' },
]

function initial() {
  try {
    const v = localStorage.getItem(STORE)
    if (LOCALES.some((l) => l.id === v)) return v
  } catch {
    // no storage: fall back to Chinese
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function setLocale(id) {
  i18n.global.locale.value = id
  try {
    localStorage.setItem(STORE, id)
  } catch {
    // ignore
  }
  document.documentElement.lang = id
}

export const elementLocale = computed(() => (i18n.global.locale.value === 'en' ? elEn : elZhCn))
