import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Element Plus components come with their own CSS through the auto-import resolver; the ones used from script
// (ElMessage, ElMessageBox, ElNotification) and the loading directive need theirs imported here.
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import 'element-plus/es/components/notification/style/css'
import 'element-plus/es/components/loading/style/css'
import App from './App.vue'
import { useAuth } from './auth/store.js'
import { onUnauthorized } from './common/errors.js'
import { i18n } from './i18n/index.js'
import { router } from './router.js'
import './shell/base.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(router)
document.documentElement.lang = i18n.global.locale.value

onUnauthorized(() => {
  useAuth(pinia).sync()
  if (router.currentRoute.value.name !== 'signin') {
    router.push({ name: 'signin', query: { next: router.currentRoute.value.fullPath } })
  }
})

app.mount('#app')
