// Whether the phone believes it is online (a hint only: a "connected" phone in the hills may still get nothing).
import { reactive } from 'vue'

export const network = reactive({ online: navigator.onLine !== false })

window.addEventListener('online', () => (network.online = true))
window.addEventListener('offline', () => (network.online = false))
