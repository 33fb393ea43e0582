import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Element Plus components come with their own CSS through the auto-import resolver; the ones used from script
// (ElMessage, ElMessageBox, ElNotification) and the loading directive need theirs imported here.
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import 'element-plus/es/components/notification/style/css'
import 'element-plus/es/components/loading/style/css'
import { ElMessage } from 'element-plus'
import { countyInLink, followCountyLink } from '@shared/cells.js'
import { loadSite } from '@shared/site.js'
import App from './App.vue'
import { useAuth } from './auth/store.js'
import { onUnauthorized } from './common/errors.js'
import { i18n } from './i18n/index.js'
import { router } from './router.js'
import './shell/base.css'

// A county's link (/console/?county=330825) opens the county's cell: when that is another cell, this page is replaced
// by the same page there before anything is shown (@shared/cells.js).
const root = document.getElementById('app')
if (countyInLink() !== null) {
  root.textContent = i18n.global.t('auth.countyOpening')
  root.setAttribute('style', 'padding: 40vh 16px 0; text-align: center; color: #909399')
}
const arriving = followCountyLink({ loadSite }).catch(() => null)

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n)
document.documentElement.lang = i18n.global.locale.value

onUnauthorized(() => {
  useAuth(pinia).sync()
  if (router.currentRoute.value.name !== 'signin') {
    router.push({ name: 'signin', query: { next: router.currentRoute.value.fullPath } })
  }
})

arriving.then((found) => {
  if (found?.url) return window.location.replace(found.url)
  root.removeAttribute('style')
  app.use(router).mount('#app') // the router starts here, once the link's page is known to be this one
  if (found?.unknown) ElMessage.error({ message: i18n.global.t('auth.countyNotFound'), duration: 5000 })
})
