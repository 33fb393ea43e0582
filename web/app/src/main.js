import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'vant/es/style/base.css'
import { countyInLink, followCountyLink } from '@shared/cells.js'
import { loadSite } from '@shared/site.js'
import './theme.css'
import App from './App.vue'
import { i18n } from './i18n/index.js'
import { router } from './router.js'
import { startOutbox } from './offline/outbox.js'
import { applyPrefs } from './settings/prefs.js'

// A county's link (?county=330825, its QR code or SMS) opens the county's cell: when that is another cell, this page
// is replaced by the same page there before anything is shown (@shared/cells.js).
const root = document.getElementById('app')
if (countyInLink() !== null) {
  root.textContent = i18n.global.t('county.finding')
  root.setAttribute('style', 'padding: 40vh 16px 0; text-align: center; color: #969799; font-size: 14px')
}
const arriving = followCountyLink({ loadSite }).catch(() => null)

const app = createApp(App).use(createPinia()).use(i18n)
Promise.all([applyPrefs().catch(() => {}), arriving]).then(([, found]) => {
  if (found?.url) return window.location.replace(found.url)
  root.removeAttribute('style')
  app.use(router).mount('#app') // the router starts here, once the link's page is known to be this one
  if (found?.unknown) {
    const message = i18n.global.t('county.notFound')
    import('./common/feedback.js').then(({ showToast }) => showToast({ message, duration: 3000 }))
  }
})
startOutbox()
