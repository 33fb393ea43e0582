"""Place codes: national division codes where they exist (township 9 digits, village 12), grids below them.

The code is its own path: a grid code starts with its village's, a village's with its township's, a township's with
the county's. So "is P inside Q" is a prefix test, and a code's level and parent are read off the code itself.
"""

from __future__ import annotations

import re

LEVELS = ("county", "township", "village", "grid")
_FORMATS = {
    "township": re.compile(r"^\d{9}$"),
    "village": re.compile(r"^\d{12}$"),
    "grid": re.compile(r"^\d{12}G\d{2,3}$"),
}


def level_of(code: str) -> str | None:
    if re.fullmatch(r"\d{6}", code or ""):
        return "county"
    for level, rx in _FORMATS.items():
        if rx.match(code or ""):
            return level
    return None


def parent_of(code: str) -> str | None:
    level = level_of(code)
    return {"township": code[:6], "village": code[:9], "grid": code[:12]}.get(level or "")


def validate(code: str, county: str) -> tuple[str, str]:
    """Return (level, parent) or raise ValueError with a Chinese reason."""
    level = level_of(code)
    if level is None or level == "county":
        raise ValueError("编码格式不正确：乡镇9位、行政村12位、网格为村编码+G+2~3位序号")
    if not code.startswith(county):
        raise ValueError("编码不属于本县")
    if level in ("township", "village") and code[-3:] == "000":
        raise ValueError("编码的本级序号不能为000")
    return level, parent_of(code)


def ancestors(code: str) -> list[str]:
    """County, township, village codes above a place (nearest last)."""
    out = []
    p = parent_of(code)
    while p:
        out.append(p)
        p = parent_of(p)
    return list(reversed(out))
