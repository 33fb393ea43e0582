// Load something for a screen: {data, error, loading, reload}. The screen shows ErrorBlock with reload as retry.
import { ref, shallowRef } from 'vue'

export function useLoad(fetcher, { immediate = true } = {}) {
  const data = shallowRef(null)
  const error = shallowRef(null)
  const loading = ref(false)
  let seq = 0

  async function reload() {
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const value = await fetcher()
      if (mine === seq) data.value = value
    } catch (e) {
      if (mine === seq) error.value = e
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  if (immediate) reload()
  return { data, error, loading, reload }
}
