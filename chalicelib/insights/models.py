"""Items of the analysis of what people raise, in the `submissions` table (docs/data-model.md, "Insights"):

- `InsightWeek` `{t}#INSW#{scope}` / `{ISO week}`: one ISO week's case counts of a scope (the county, or one of its
  townships), every case type: `rows` JSON `[[place, type, category, count], ...]` — the county's rows are per
  township, a township's per village (and the township itself, for cases filed to it); the county's item also has
  `villages` JSON `{village: count}` (the map and the anomaly flags). Rolled up from the case workflow's CaseCount
  (chalicelib/cases) whenever those change (stream) and nightly (history); a put never lowers `total` (counts only
  grow), so two roll-ups racing leave the later numbers.
- `WordWeek` `{t}#INSWORD#{scope}` / `{ISO week}`: the week's most frequent words of case texts in a scope (county or
  township), `words` JSON `{word: count}` (at most MAX_WORDS kept), versioned; written from the stream, never the
  texts themselves.
- `WordsApplied` `{t}#INSWA#{cid}` / `A`: a case's words are in the counters (written in their transaction; a
  redelivered stream record finds it). Expires after 30 days.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute

from ..core.db import SubmissionsItem, key


class InsightWeek(SubmissionsItem, discriminator="insight_week"):
    rows = UnicodeAttribute(default="[]")
    villages = UnicodeAttribute(null=True)
    total = NumberAttribute(default=0)
    updated_at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, scope: str, week: str) -> tuple[str, str]:
        return key(tenant, "INSW", scope), week


class WordWeek(SubmissionsItem, discriminator="insight_words"):
    words = UnicodeAttribute(default="{}")
    cases = NumberAttribute(default=0)  # case texts counted
    updated_at = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, scope: str, week: str) -> tuple[str, str]:
        return key(tenant, "INSWORD", scope), week


class WordsApplied(SubmissionsItem, discriminator="insight_words_applied"):
    @staticmethod
    def keys(tenant: str, cid: str) -> tuple[str, str]:
        return key(tenant, "INSWA", cid), "A"
