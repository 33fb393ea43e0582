// The villagers' and field staff's phone app: served at / (behind CloudFront in AWS, by devstack locally).
import vue from '@vitejs/plugin-vue'
import { VantResolver } from '@vant/auto-import-resolver'
import Components from 'unplugin-vue-components/vite'
import { VitePWA } from 'vite-plugin-pwa'
import { defineConfig } from 'vite'
import { fileURLToPath } from 'node:url'

// Vant's icon font (28 KB gzipped, inlined in its CSS) comes with the style of every component that *can* show an
// icon. The app draws its few icons inline (app/src/common/AppIcon.vue) and never shows a Vant icon, so the font
// is left out: a phone on a weak signal downloads a quarter less before the first screen.
const withoutVantIconFont = {
  name: 'without-vant-icon-font',
  enforce: 'pre',
  load: (id) => (id.endsWith('/vant/es/icon/index.css') ? '' : undefined),
}

export default defineConfig({
  root: fileURLToPath(new URL('./app', import.meta.url)),
  base: '/',
  resolve: { alias: { '@shared': fileURLToPath(new URL('./shared', import.meta.url)) } },
  plugins: [
    withoutVantIconFont,
    vue(),
    Components({ resolvers: [VantResolver()], dts: false }),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script-defer',
      manifest: {
        name: '村情通',
        short_name: '村情通',
        description: '村民身边的村务服务',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#c8161d',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }, // house within the safe zone
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/console\//, /^\/__dev\//],
        clientsClaim: true, // the first visit is already served by the worker: the app opens offline from then on
        runtimeCaching: [],
      },
    }),
  ],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    cssCodeSplit: true,
    manifest: true, // dist/.vite/manifest.json: app/scripts/initial-size.mjs measures the first load from it
  },
})
