// Opening another county the person belongs to, then going home: used by the chooser and the profile page.
import { ref, shallowRef } from 'vue'
import { useRouter } from 'vue-router'
import { useAccount } from './account.js'

export function useCountySwitch() {
  const router = useRouter()
  const account = useAccount()
  const busy = ref('') // the county being opened
  const error = shallowRef(null)
  let last = ''

  async function switchTo(tenant) {
    error.value = null
    busy.value = last = tenant
    try {
      await account.switchCounty(tenant)
      await router.replace({ name: 'start' }) // the role's own first page in that county
    } catch (e) {
      error.value = e
    } finally {
      busy.value = ''
    }
  }

  return { busy, error, switchTo, retry: () => switchTo(last) }
}
