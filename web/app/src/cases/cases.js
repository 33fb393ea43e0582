// Cases on the phone (随手拍, 疫情举报 and the case modules to come, one workflow on the server): the declared types
// (kept on the phone, so that a 随手拍 can be made without a signal), names in the reader's language, SLA colours
// with words, and the reference a notice names.
import { api, NetworkError } from '@shared/api.js'
import { readMine, writeMine } from '@shared/kept.js'
import { i18n } from '../i18n/index.js'

const TYPES = 'cqt.caseTypes'

/** GET /cases/types, kept on the phone; without a signal, the copy kept (rejects when there is none). */
export async function loadTypes() {
  try {
    const { items } = await api.get('/cases/types')
    writeMine(TYPES, { items })
    return items
  } catch (e) {
    const kept = readMine(TYPES)
    if (e instanceof NetworkError && kept?.items) return kept.items
    throw e
  }
}

export const typeOf = (types, id) => (types ?? []).find((t) => t.id === id) ?? null
export const categoryOf = (type, code) => type?.categories.find((c) => c.code === code) ?? null

/** A category's name in the reader's language (the server gives zh and en). */
export function categoryName(category, locale) {
  if (!category) return ''
  return locale === 'en' && category.name_en ? category.name_en : category.name
}

/** A status, event, type or outcome as the reader reads it: the server's own name in Chinese (a type may name its
 *  statuses its own way), ours in another language, else the code. */
export function named(ns, code, serverName) {
  const { t, te, locale } = i18n.global
  if (serverName && locale.value === 'zh-CN') return serverName
  return code && te(`${ns}.${code}`) ? t(`${ns}.${code}`) : serverName || code || ''
}

/** Vant tag type per status: waiting (warning), being handled (primary), done (success). */
export const STATUS_TAG = { filed: 'warning', assigned: 'warning', accepted: 'primary', resolved: 'success', closed: 'default' }

export const SLA = ['green', 'amber', 'red']

/** The public reference a notice names: "…（编号 SP-330825-000123）". */
export function refIn(text) {
  return /\b([A-Z]{2}-\d{6}-\d{3,})\b/.exec(text || '')?.[1] ?? null
}

/** Case types whose timeline reads as a conversation between the filer and staff (CasePage). */
export const THREADED_TYPES = ['letter']

/** Types whose resolution needs a photo of the result (随手拍: what it looks like now); others may add one. */
export const AFTER_PHOTO_TYPES = ['snap']

/** A case's status as the reader reads it: the type's own name in Chinese (a letter is 待答复, 已答复), ours
 *  otherwise (`letterStatus` for letters, `caseStatus` for the others). */
export function statusName(item) {
  const ns = item?.type === 'letter' ? 'letterStatus' : 'caseStatus'
  return named(ns, item?.status, item?.status_name)
}
