"""The most frequent words of case texts, counted when a case is filed (the submissions stream) into one item per
county-week and one per township-week (models.WordWeek). A case's text is personal data: only word counts are
kept, never the text, and words that may name or reach a person are left out — person and place names jieba tags
(nr, ns), numbers (phone and ID numbers), anything with a digit or a Latin letter.

Segmentation is rjieba (the jieba-rs binding): imported here only, on the first case text a stream handler sees,
so the API function's cold start never loads it (its dictionary loads in about 0.3 s).

Counting is exactly once: the counters and a `WordsApplied` marker of the case are written in one transaction,
conditional on the counters' versions and on the marker's absence; a redelivered stream record finds the marker and
changes nothing, a concurrent writer (another stream shard) makes the transaction retry on fresh counters.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.db import cancellation_codes, transact
from .models import WordsApplied, WordWeek

MAX_WORDS = 400  # kept per item: the top 50 read back are exact unless a word sits near the cut for weeks
TOP = 50
APPLIED_DAYS = 30
_CJK = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
# Parts of speech that say nothing about the matter or may identify someone: person/place/organisation names,
# numerals and quantities, pronouns, prepositions, conjunctions, particles, adverbs, punctuation.
_DROP_TAGS = ("nr", "ns", "nt", "nz", "m", "q", "r", "p", "c", "u", "d", "x", "e", "y", "o", "w")
_STOP = """
我们 你们 他们 她们 它们 咱们 大家 自己 这个 那个 这些 那些 这里 那里 这样 那样 这种 那种 一个 一些 一下 一直
没有 什么 怎么 怎样 为什么 因为 所以 但是 而且 如果 虽然 就是 还是 已经 可以 可能 应该 需要 希望 请求 要求 能够
现在 时候 今天 昨天 明天 前天 每天 最近 目前 之前 之后 以前 以后 上午 下午 晚上 早上 中午 经常 总是 一起 进行
问题 情况 反映 请问 谢谢 麻烦 你好 您好 领导 有关 相关 部门 处理 解决 尽快 及时 非常 比较 特别 十分 不是 不能
不会 不要 不好 没人 出现 发现 存在 造成 导致 影响 方面 地方 东西 事情 知道 觉得 认为 看到 听说 感觉 实在 真的
"""
STOP_WORDS = frozenset(_STOP.split())


def words_of(text: str) -> Counter:
    """The words of a text worth counting: two to eight Chinese characters, not a stop word, not a name."""
    import rjieba  # lazily: only the stream function segments

    out: Counter = Counter()
    for word, tag in rjieba.tag(text or ""):
        if not _CJK.match(word) or word in STOP_WORDS or tag.startswith(_DROP_TAGS):
            continue
        out[word] += 1
    return out


def _merged(item: WordWeek | None, counts: Counter) -> dict[str, int]:
    words = Counter(json.loads(item.words)) if item is not None else Counter()
    words.update(counts)
    if len(words) > MAX_WORDS:  # keep the most frequent (ties: the word seen first stays)
        words = Counter(dict(words.most_common(MAX_WORDS)))
    return dict(words)


def apply(tenant: str, cid: str, week: str, scopes: list[str], text: str) -> str:
    """Count a new case's words into the week's counters of its scopes (county, township), once."""
    counts = words_of(text)
    for attempt in range(8):
        keys = [WordWeek.keys(tenant, s, week) for s in scopes]
        have = {(w.pk, w.sk): w for w in WordWeek.batch_get(keys, consistent_read=True)}
        now = clock.iso()
        try:
            with transact() as tx:
                tx.save(WordsApplied(*WordsApplied.keys(tenant, cid), expires=clock.epoch() + APPLIED_DAYS * 86400),
                        condition=WordsApplied.pk.does_not_exist())
                for k in keys:
                    old = have.get(k)
                    item = old or WordWeek(*k)
                    item.words = json.dumps(_merged(old, counts), ensure_ascii=False)
                    item.cases = int(item.cases or 0) + 1
                    item.updated_at = now
                    tx.save(item)  # conditional on the version read (or on its absence)
            return "words_counted"
        except TransactWriteError as e:
            reasons = cancellation_codes(e)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return "words_duplicate"  # counted before: a redelivered record
            if not any(r in ("ConditionalCheckFailed", "TransactionConflict") for r in reasons):
                raise
            for k in keys:  # a version moved under us: read again
                have.pop(k, None)
            time.sleep(min(0.5, 0.02 * 2 ** attempt) * random.random())
    raise RuntimeError(f"word counters of {tenant} {week} kept changing")


def top(items: list[WordWeek], n: int = TOP) -> tuple[list[dict], int]:
    """The top `n` words over the weeks' items, and how many case texts they counted."""
    total: Counter = Counter()
    cases = 0
    for it in items:
        total.update(json.loads(it.words))
        cases += int(it.cases or 0)
    return [{"word": w, "count": c} for w, c in sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:n]], cases
