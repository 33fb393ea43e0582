// A cursor-paged list ({items, next_cursor}) for van-list: more() loads the next page, restart() starts over.
import { ref, shallowRef } from 'vue'
import { api } from '@shared/api.js'

export function usePagedList(pathFor) {
  const items = ref([])
  const finished = ref(false)
  const loading = ref(false)
  const error = shallowRef(null)
  let cursor = null
  let generation = 0

  async function more() {
    const mine = generation
    loading.value = true
    error.value = null
    try {
      const page = await api.get(pathFor(cursor))
      if (mine !== generation) return
      items.value.push(...page.items)
      cursor = page.next_cursor
      finished.value = !cursor
    } catch (e) {
      if (mine === generation) error.value = e
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  function restart() {
    generation += 1
    items.value = []
    cursor = null
    finished.value = false
    error.value = null
    return more()
  }

  return { items, finished, loading, error, more, restart }
}
