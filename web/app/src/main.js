import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'vant/es/style/base.css'
import './theme.css'
import App from './App.vue'
import { i18n } from './i18n/index.js'
import { router } from './router.js'
import { startOutbox } from './offline/outbox.js'
import { applyPrefs } from './settings/prefs.js'

const app = createApp(App).use(createPinia()).use(i18n).use(router)
applyPrefs().finally(() => app.mount('#app'))
startOutbox()
