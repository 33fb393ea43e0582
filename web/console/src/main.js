import { createApp, h } from 'vue'
createApp({ render: () => h('p', '村情通') }).mount('#app')
