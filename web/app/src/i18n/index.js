// zh-CN is bundled; English is fetched only when someone switches to it.
import { createI18n } from 'vue-i18n'
import { Locale } from 'vant'
import zhCN from './zh-CN.js'

export const LOCALES = ['zh-CN', 'en']

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN },
})

const loaders = {
  en: async () => {
    const [{ default: app }, { default: vant }] = await Promise.all([
      import('./en.js'),
      import('vant/es/locale/lang/en-US.mjs'),
    ])
    return { app, vant, vantName: 'en-US' }
  },
}

export async function setLocale(locale) {
  const lang = LOCALES.includes(locale) ? locale : 'zh-CN'
  if (lang !== 'zh-CN' && !i18n.global.availableLocales.includes(lang)) {
    const { app, vant, vantName } = await loaders[lang]()
    i18n.global.setLocaleMessage(lang, app)
    Locale.add({ [vantName]: vant })
  }
  Locale.use(lang === 'en' ? 'en-US' : 'zh-CN')
  i18n.global.locale.value = lang
  document.documentElement.lang = lang
  return lang
}
