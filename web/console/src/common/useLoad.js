// A load with loading/error state and a retry that repeats the last call.
import { ref, shallowRef } from 'vue'
import { noticeAuth } from './errors.js'

export function useLoad(fn) {
  const data = shallowRef(null)
  const loading = ref(false)
  const error = shallowRef(null)
  let lastArgs = []
  let seq = 0
  async function run(...args) {
    lastArgs = args
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const out = await fn(...args)
      if (mine === seq) data.value = out
      return out
    } catch (e) {
      if (mine === seq) error.value = e
      noticeAuth(e)
      return undefined
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  return { data, loading, error, run, retry: () => run(...lastArgs) }
}
