// Page through a cursor-paginated list ({items, next_cursor}) with previous/next: keeps the cursor of every page seen.
import { computed, ref, shallowRef } from 'vue'
import { useLoad } from './useLoad.js'

export function useCursorPages(fetchPage) {
  const cursors = ref([null]) // cursors[i] opens page i
  const index = ref(0)
  const items = shallowRef([])
  const load = useLoad(async (cursor) => {
    const page = await fetchPage(cursor)
    items.value = page.items
    const next = page.next_cursor || null
    cursors.value = [...cursors.value.slice(0, index.value + 1), ...(next ? [next] : [])]
    return page
  })
  const hasNext = computed(() => cursors.value.length > index.value + 1)
  const hasPrev = computed(() => index.value > 0)

  function first() {
    cursors.value = [null]
    index.value = 0
    items.value = []
    return load.run(null)
  }
  function next() {
    if (!hasNext.value) return null
    index.value += 1
    return load.run(cursors.value[index.value])
  }
  function prev() {
    if (!hasPrev.value) return null
    index.value -= 1
    return load.run(cursors.value[index.value])
  }
  return { items, index, hasNext, hasPrev, first, next, prev, loading: load.loading, error: load.error,
    retry: load.retry }
}
