// Vant's toast and confirm dialog (function APIs, so the component auto-import does not bring their CSS).
import 'vant/es/overlay/index.css'
import 'vant/es/popup/index.css'
import 'vant/es/loading/index.css'
import 'vant/es/toast/index.css'
import 'vant/es/button/index.css'
import 'vant/es/action-bar/index.css'
import 'vant/es/action-bar-button/index.css'
import 'vant/es/dialog/index.css'

export { showConfirmDialog, showToast } from 'vant'
