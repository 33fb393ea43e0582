"""The county registry: each county is a tenant. Status and module switches are read on every request,
so they are cached in-process for a few seconds (settings.tenant_cache_seconds)."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from . import clock, modules
from .config import settings
from .db import PLATFORM, HouseholdsItem, key
from .errors import Forbidden, Unauthorized

# Province-level prefixes of the national administrative division codes (GB/T 2260).
PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53,
             54, 61, 62, 63, 64, 65, 71, 81, 82}
_COUNTY_RE = re.compile(r"^\d{6}$")


def validate_county_code(code: str) -> str:
    if not _COUNTY_RE.match(code or ""):
        raise ValueError("县级行政区划代码应为6位数字")
    if int(code[:2]) not in PROVINCES:
        raise ValueError("行政区划代码的省级部分无效")
    if code[4:] == "00" or code[2:4] == "00" and code[:2] not in {"11", "12", "31", "50"}:
        raise ValueError("应为县级（区、县、县级市）行政区划代码")
    return code


class County(HouseholdsItem, discriminator="county"):
    code = UnicodeAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute(default="active")  # active | disabled
    modules = ListAttribute(of=UnicodeAttribute, default=list)  # switched on; read through enabled_modules()
    contact = UnicodeAttribute(null=True)  # whom villagers and staff contact about the service (an office, a hotline)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    status_changed_at = NumberAttribute(default=0)
    # Requests a second the county may make, all API containers together (core/throttle.py); None: the stage's.
    rate_limit = NumberAttribute(null=True)
    # Retention (chalicelib/datarights): days health reports and case photos are kept; None: the defaults there.
    health_retention_days = NumberAttribute(null=True)
    photo_retention_days = NumberAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(code: str) -> tuple[str, str]:
        return key(code, "COUNTY"), "COUNTY"

    @staticmethod
    def list_key() -> str:
        return key(PLATFORM, "COUNTIES")


_cache: dict[str, tuple[float, County | None]] = {}
_lock = threading.Lock()


def get(code: str, *, fresh: bool = False) -> County | None:
    ttl = settings().tenant_cache_seconds
    now = time.monotonic()
    if not fresh and ttl > 0:
        with _lock:
            hit = _cache.get(code)
        if hit and now - hit[0] < ttl:
            return hit[1]
    try:
        c = County.get(*County.keys(code), consistent_read=True)
    except County.DoesNotExist:
        c = None
    with _lock:
        _cache[code] = (now, c)
    return c


def forget(code: str) -> None:
    with _lock:
        _cache.pop(code, None)


def new_county(code: str, name: str, switched_on: list[str] | None = None, contact: str | None = None) -> County:
    pk, sk = County.keys(code)
    t = clock.iso()
    chosen = modules.defaults() if switched_on is None else modules.enabled(switched_on)
    return County(pk, sk, code=code, name=name, status="active", modules=chosen, contact=contact or None,
                  created_at=t, updated_at=t, gsi1pk=County.list_key(), gsi1sk=code)


def enabled_modules(county: County | None) -> list[str]:
    """What the county's people actually get: its switches, reduced to modules that exist."""
    return modules.enabled(county.modules) if county is not None else []


DEFAULT_CONTACT = "请联系县级管理员"


def suspended(county: County) -> Forbidden:
    """The one answer for a disabled county, with what its people need to know: which county, whom to contact."""
    return Forbidden("本县服务已暂停", code="county_disabled",
                     details={"county": county.code, "county_name": county.name,
                              "contact": county.contact or DEFAULT_CONTACT,
                              "since": clock.iso(datetime.fromtimestamp(int(county.status_changed_at), UTC))
                              if county.status_changed_at else None})


def require_active(code: str, *, fresh: bool = False) -> County:
    """The county of a signed-in person, refusing a missing (401) or disabled (403 county_disabled) one."""
    county = get(code, fresh=fresh)
    if county is None:
        raise Unauthorized("所属县不存在", code="county_missing")
    if county.status != "active":
        raise suspended(county)
    return county


def active_with(module: str | None) -> list[County]:
    """Active counties that switched `module` on (all active ones for None; scheduled jobs: one Query per 1 MB
    page of the registry)."""
    return [c for c in County.gsi1.query(County.list_key(), filter_condition=County.status == "active")
            if module is None or module in enabled_modules(c)]
