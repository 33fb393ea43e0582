// A case's names in the console's language: the server says them in Chinese (type_name, category_name,
// status_name, event_name); in English the types' and categories' own English names from GET /cases/types, and the
// workflow's statuses and events from the messages (a status a type renames keeps its Chinese name in English only
// when the messages do not know it).
import { useI18n } from 'vue-i18n'

export function useCaseWords(typesRef = null) {
  const { t, te, locale } = useI18n()
  const en = () => locale.value === 'en'
  const typeOf = (c) => (typesRef?.value || {})[c.type]
  return {
    type: (c) => (en() && typeOf(c)?.name_en) || c.type_name || c.type,
    category: (c) => (en() && typeOf(c)?.categories?.find((x) => x.code === c.category)?.name_en)
      || c.category_name || c.category,
    status: (c) => (en() && te(`cases.statuses.${c.status}`) ? t(`cases.statuses.${c.status}`) : c.status_name || c.status),
    event: (e) => (en() && te(`cases.events.${e.event}`) ? t(`cases.events.${e.event}`) : e.event_name || e.event),
  }
}
