"""Text as it arrives from Excel, Chinese input methods and copy-paste: one canonical form, no invisible tricks.

- Full-width digits and Latin letters (１２３, ＡＢＣ, typed with a Chinese IME in full-width mode or pasted from
  a document) are folded to ASCII in every string a request carries, so that 330825１９８０… and 330825198 0…
  are the same ID number, phone, place code or household number. Full-width punctuation (，。：) is left as
  written: it is how Chinese is punctuated.
- Control characters (other than tab and line breaks) and bidirectional overrides (which make "ABC" display as
  "CBA" and hide what a text really says) are refused everywhere; names also refuse zero-width and other format
  characters, so that 张三 and 张\u200b三 cannot be two people.
- Request bodies are bounded in depth and element count before they are parsed into Python objects.

`check_body` runs on every JSON body (core.http); the `Name` and `Text` types in core.schemas apply the same rules
to values that do not come through a body (spreadsheet cells).
"""

from __future__ import annotations

import re
import unicodedata

# U+FF10–FF19 digits, U+FF21–FF3A and U+FF41–FF5A letters → ASCII; U+3000 ideographic space → space.
_FOLD = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_FOLD[0x3000] = 0x20
_FULLWIDTH_RE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")

# Bidirectional embedding/override/isolate controls and marks.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS = frozenset("\t\n\r")
# Anything outside printable ASCII and common CJK is looked at more closely (the fast path skips plain text).
_SUSPECT_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
                         "\ufeff\ufff9-\ufffb\ud800-\udfff]")

MAX_DEPTH = 16
MAX_ELEMENTS = 5000
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET_RE = re.compile(r"[\[\]{},]")


def fold(value: str) -> str:
    """Full-width digits, letters and the ideographic space → ASCII; everything else as it is."""
    return value.translate(_FOLD) if _FULLWIDTH_RE.search(value) else value


def ascii_digits(value: str) -> str:
    """NFKC then ASCII-only: for values that are only digits, letters and a few separators (ID, phone, codes)."""
    return unicodedata.normalize("NFKC", value)


def bad_character(value: str, *, name: bool = False) -> str | None:
    """The first character that may not appear in this text, or None. `name`: no format characters at all."""
    if not name and not _SUSPECT_RE.search(value):
        return None
    for ch in value:
        if ch in _ALLOWED_CONTROLS and not name:
            continue
        cat = unicodedata.category(ch)
        if ch in _BIDI or cat in ("Cc", "Cs") or (name and cat in ("Cf", "Co", "Zl", "Zp")):
            return ch
        if cat == "Cf" and ch in "\u200b\u2060\ufeff\u180e":  # zero-width spaces hide text anywhere
            return ch
    return None


def describe(ch: str) -> str:
    return f"U+{ord(ch):04X}"


class BodyShapeError(ValueError):
    def __init__(self, code: str, message: str, details: dict):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


def check_shape(text: str) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH or with more than MAX_ELEMENTS values, without parsing it (so a
    hostile body cannot exhaust the parser's recursion): strings are blanked out, then brackets are counted."""
    skeleton = _STRING_RE.sub('""', text)
    depth = elements = 0
    for m in _BRACKET_RE.finditer(skeleton):
        ch = m.group()
        if ch in "[{":
            depth += 1
            elements += 1
            if depth > MAX_DEPTH:
                raise BodyShapeError("body_too_deep", f"请求内容嵌套过深（最多{MAX_DEPTH}层）",
                                     {"max_depth": MAX_DEPTH})
        elif ch == ",":
            elements += 1
        else:
            depth -= 1
        if elements > MAX_ELEMENTS:
            raise BodyShapeError("body_too_many_elements", f"请求内容的条目过多（最多{MAX_ELEMENTS}项）",
                                 {"max_elements": MAX_ELEMENTS})


def clean(data, path: str = ""):
    """Fold full-width characters in every string (keys too) and collect characters that may not appear.
    Returns (cleaned data, [field errors])."""
    errors: list[dict] = []

    def walk(v, where: str):
        if isinstance(v, str):
            bad = bad_character(v)
            if bad is not None:
                errors.append({"field": where, "code": "invalid_character",
                               "message": f"含有不允许的不可见字符（{describe(bad)}），请删除后重试"})
            return fold(v)
        if isinstance(v, dict):
            return {fold(k): walk(x, f"{where}.{k}" if where else str(k)) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x, f"{where}.{i}" if where else str(i)) for i, x in enumerate(v)]
        return v

    return walk(data, path), errors
