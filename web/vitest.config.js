import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@shared': fileURLToPath(new URL('./shared', import.meta.url)) } },
  test: {
    environment: 'jsdom',
    include: ['app/src/**/*.test.js', 'console/src/**/*.test.js', 'shared/**/*.test.js'],
  },
})
