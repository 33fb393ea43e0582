// 网上代办 on the phone: the county's catalogue (GET /errands/items, one request, kept on the phone so the list opens
// without a signal) and one item (GET /errands/items/{id}; the last few opened are kept too), and the words the
// pages say about an item (time limits, delivery, the type of a field to fill).
import { api, NetworkError } from '@shared/api.js'
import { readMine, writeMine } from '@shared/kept.js'

const CATALOGUE = 'cqt.errands'
const DETAILS = 'cqt.errandItems'
const KEEP_DETAILS = 10

/** The catalogue kept on the phone ({version, items}), or null. */
export function keptCatalogue() {
  const kept = readMine(CATALOGUE)
  return Array.isArray(kept?.items) ? { version: kept.version ?? null, items: kept.items } : null
}

/** GET /errands/items → {version, items} (enabled items), kept; without a signal the kept copy (offline: true). */
export async function loadCatalogue() {
  try {
    const { version = null, items = [] } = await api.get('/errands/items')
    writeMine(CATALOGUE, { version, items })
    return { version, items, offline: false }
  } catch (e) {
    const kept = keptCatalogue()
    if (e instanceof NetworkError && kept) return { ...kept, offline: true }
    throw e
  }
}

/** GET /errands/items/{id} → Item, kept among the last few opened; without a signal the kept copy. */
export async function loadItem(id) {
  try {
    const item = await api.get(`/errands/items/${encodeURIComponent(id)}`)
    const kept = (readMine(DETAILS)?.items || []).filter((x) => x?.id !== item.id)
    writeMine(DETAILS, { items: [item, ...kept].slice(0, KEEP_DETAILS) })
    return item
  } catch (e) {
    const kept = (readMine(DETAILS)?.items || []).find((x) => x?.id === id)
    if (e instanceof NetworkError && kept) return { ...kept, offline: true }
    throw e
  }
}

/** How long it takes, as the list says it: 即办 (0), 承诺N个工作日, else the legal limit, else nothing. */
export function promiseText(item, t) {
  if (item?.promised_days === 0) return t('errands.instant')
  if (item?.promised_days != null) return t('errands.promised', { n: item.promised_days })
  if (item?.time_limit_days === 0) return t('errands.instant')
  if (item?.time_limit_days != null) return t('errands.legal', { n: item.time_limit_days })
  return ''
}

/** A number of working days in words (即办 for 0), or 未规定 when not stated. */
export function daysText(n, t) {
  if (n == null) return t('errands.notStated')
  return n === 0 ? t('errands.instant') : t('errands.days', { n })
}

export const DELIVERY = ['pickup', 'courier']

/** 网点自取、快递到家 (in the catalogue's order). */
export function deliveryText(delivery, t) {
  return DELIVERY.filter((d) => (delivery || []).includes(d)).map((d) => t(`errands.delivery.${d}`)).join(t('errands.and'))
}

export const FIELD_TYPES = ['text', 'date', 'id_number', 'choice', 'photo']

/** A field to fill, in plain words: 文字 / 日期 / 身份证号 / 从以下选一项：顺产、剖宫产 / 照片. */
export function fieldTypeText(field, t) {
  const type = FIELD_TYPES.includes(field?.type) ? field.type : 'text'
  if (type === 'choice') return t('errands.fieldType.choice', { choices: (field.choices || []).join(t('errands.and')) })
  return t(`errands.fieldType.${type}`)
}
