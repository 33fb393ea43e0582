"""Open311 GeoReport v2 for each county (jurisdiction_id = the county's 6-digit division code).

What is public, and why:
- **Services** are the categories of the county's *public* case types: a type that is not private and whose cases
  the village board already shows (`public_board`) — today 随手拍. Letters (private) never appear; nor do tip-offs
  (疫情举报: reports about people, often anonymous, for the epidemic command, not for the public); nor types of a
  module the county switched off. service_code is `{type}.{category}`, e.g. `snap.road`.
- **Service requests** leave with public fields only: reference, status (open/closed), the public answer, the place's
  name and code, GPS as stored (rounded to ~100 m), dates, and a signed link to the first photo staff did not hide.
  Never the filer (name, uid, anonymity), never the filer's own words about where (`location`), never the words
  staff hid (then `description` is null).

Filing (`POST requests`) needs an API key the county admin issued to the client. The client is the filer: its cases
carry the filer uid `o311-{kid}` and the name `Open311：{client}` (plus the submitter's first/last name when sent);
e-mail, phone, device and account ids are accepted as the spec allows and never stored. The place is a grid (or
village, by the type's level) code of the county, as `address_id`, `attribute[place]` or at the start of
`address_string`: there is no geocoder for Chinese villages here, so lat/long alone cannot be placed (400).
Requests are filed synchronously (type `realtime`): the answer carries the reference, and no token is ever issued.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import re
import secrets as pysecrets
import uuid

from pynamodb.exceptions import DeleteError, UpdateError

from ..cases import categories, types
from ..cases import service as cases
from ..cases.models import HEAD, Case
from ..core import clock, counties, files, text
from ..core.auth import service as auth
from ..core.db import key
from ..core.errors import AppError, Conflict, NotFound
from ..core.tenancy import TenantContext
from ..places import codes
from ..places import service as places
from .models import Open311Client
from .schemas import MAX_PER_DAY

PERMISSION = "open311.keys"
MAX_CLIENTS = 50  # API keys per county
MAX_RESULTS = 200  # service requests per answer (the spec allows 1000; page with end_date, see docs/api.md)
MAX_IDS = 100  # references in one service_request_id filter
WINDOW = dt.timedelta(days=90)  # the spec's default and largest date range
READS_PER_MINUTE = 120  # GETs per county and client address (no key is needed to read)
DESCRIPTION_MAX = 500  # as the app's own forms
LAST_USED_EVERY = dt.timedelta(minutes=5)  # how stale `last_used_at` may get (one write per key at most that often)

_KID = re.compile(r"^[0-9a-f]{12}$")
_SERVICE_CODE = re.compile(r"^[a-z0-9_]{2,20}\.[a-z0-9_]{1,40}$")
_COUNTY = re.compile(r"^\d{6}$")
_PLACE_AT_START = re.compile(r"^\s*(\d{9}(?:\d{3}(?:G\d{2,3})?)?)(?![\dG])[\s,，、:：]*(.*)$", re.DOTALL)


class Open311Error(AppError):
    """An error as the GeoReport spec has them: an HTTP status (404 missing, 403 api_key, 400 anything else; 429 and
    503 with Retry-After) and a description for the person using the client."""

    def __init__(self, status: int, message: str, code: str = "open311_error", headers: dict | None = None):
        super().__init__(message, code=code, headers=headers)
        self.status = status


def _short(value: str, n: int = 40) -> str:
    return value if len(value) <= n else value[:n] + "…"


# --- the county and its public case types ------------------------------------------------------------------------

def county(jurisdiction_id: str | None) -> str:
    """The county a request is about: 400 without one, 404 for an unknown one, 403 while it is suspended."""
    jid = text.fold(jurisdiction_id or "").strip()
    if not jid:
        raise Open311Error(400, "缺少 jurisdiction_id（本县的6位行政区划代码）", "jurisdiction_id_missing")
    found = counties.get(jid) if _COUNTY.match(jid) else None
    if found is None:
        raise Open311Error(404, f"jurisdiction_id「{_short(jid)}」不存在", "jurisdiction_id_unknown")
    if found.status != "active":
        raise Open311Error(403, "本县服务已暂停", "county_disabled")
    return jid


def is_public(t: types.CaseType) -> bool:
    """Cases of this type may be shown to anyone: not private, and already published on the village board."""
    return not t.private and t.public_board


def published(tenant: str) -> dict[str, types.CaseType]:
    """The county's public case types by id (of modules it has switched on)."""
    on = set(counties.enabled_modules(counties.get(tenant)))
    return {t.id: t for t in types.all_types() if is_public(t) and t.module in on}


def service_of(tenant: str, public: dict[str, types.CaseType], code: str | None
               ) -> tuple[types.CaseType, types.Category]:
    code = (code or "").strip()
    if not code:
        raise Open311Error(400, "缺少 service_code", "service_code_missing")
    type_id, _, cat_code = code.partition(".")
    t = public.get(type_id) if _SERVICE_CODE.match(code) else None
    cat = categories.get(tenant, t, cat_code) if t else None  # the county's own categories
    if t is None or cat is None:
        raise Open311Error(404, f"service_code「{_short(code)}」不存在", "service_code_unknown")
    return t, cat


def _keywords(t: types.CaseType, c: types.Category) -> str:
    return ", ".join(dict.fromkeys(w for w in (c.name, c.name_en, t.name, t.name_en) if w))


def services(tenant: str) -> list[dict]:
    """GET services: every category of the county's public case types."""
    return [{"service_code": f"{t.id}.{c.code}", "service_name": c.name, "description": c.description or c.name,
             "metadata": bool(c.fields), "type": "realtime", "keywords": _keywords(t, c), "group": t.name}
            for t in published(tenant).values() for c in categories.active(tenant, t)]


DATATYPE_HELP = {
    "string": f"一行文字（最多{DESCRIPTION_MAX}字）",
    "text": f"文字，可换行（最多{DESCRIPTION_MAX}字）",
    "number": "数字",
    "datetime": "日期时间（W3C 格式，如 2026-05-01T09:30:00+08:00）",
    "singlevaluelist": "从 values 中选一项，提交它的 key",
    "multivaluelist": "从 values 中选一项或多项，提交它们的 key：attribute[code][]=key1&attribute[code][]=key2",
}


def definition(tenant: str, code: str) -> dict:
    """GET services/{code}: the category's extra fields as the spec's attributes."""
    t, cat = service_of(tenant, published(tenant), code)
    return {"service_code": f"{t.id}.{cat.code}", "attributes": [
        {"variable": True, "code": f.code, "datatype": f.datatype, "required": f.required,
         "datatype_description": DATATYPE_HELP.get(f.datatype), "order": i,
         "description": f"{f.name}：{f.description}" if f.description else f.name,
         "values": [{"key": k, "name": n} for k, n in f.values]}
        for i, f in enumerate(cat.fields, start=1)]}


# --- API keys (the county admin's) ---------------------------------------------------------------------------------

def _hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def _key_out(c: Open311Client) -> dict:
    return {"id": c.kid, "name": c.name, "per_day": int(c.per_day), "created_at": c.created_at,
            "created_by": c.created_by_name, "last_used_at": c.last_used_at}


def issue_key(ctx: TenantContext, name: str, per_day: int) -> dict:
    """A new client and its key, shown this once: only the key's SHA-256 is stored. (Not idempotent on purpose: a
    replayed answer would have to keep the key in the idempotency table; a retry makes a second key, which the
    admin deletes.)"""
    tenant = ctx.require_tenant()
    ctx.require(PERMISSION, tenant)
    if len(list(Open311Client.query(Open311Client.partition(tenant), limit=MAX_CLIENTS))) >= MAX_CLIENTS:
        raise Conflict(f"本县最多{MAX_CLIENTS}个 Open311 密钥，请先删除不用的", code="too_many_keys")
    admin = auth.get_user(tenant, ctx.user_id)
    kid = uuid.uuid4().hex[:12]
    api_key = f"{kid}.{pysecrets.token_urlsafe(32)}"
    item = Open311Client(*Open311Client.keys(tenant, kid), kid=kid, name=name, key_hash=_hash(api_key),
                         per_day=min(per_day, MAX_PER_DAY), created_at=clock.iso(), created_by=ctx.user_id,
                         created_by_name=admin.name)
    item.save(condition=Open311Client.pk.does_not_exist())
    return {**_key_out(item), "api_key": api_key}


def list_keys(ctx: TenantContext) -> list[dict]:
    tenant = ctx.require_tenant()
    ctx.require(PERMISSION, tenant)
    items = Open311Client.query(Open311Client.partition(tenant), limit=MAX_CLIENTS)
    return sorted((_key_out(c) for c in items), key=lambda k: k["created_at"], reverse=True)


def revoke_key(ctx: TenantContext, kid: str) -> None:
    """The key stops working at once (keys are read consistently); cases the client filed stay as they are."""
    tenant = ctx.require_tenant()
    ctx.require(PERMISSION, tenant)
    if not _KID.match(kid):
        raise NotFound("找不到该密钥")
    try:
        Open311Client(*Open311Client.keys(tenant, kid)).delete(condition=Open311Client.pk.exists())
    except DeleteError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise NotFound("找不到该密钥") from e
        raise


def client_for(tenant: str, api_key: str | None) -> Open311Client:
    """The client an API key belongs to, in this county (a key of another county is invalid here): 403 otherwise."""
    api_key = (api_key or "").strip()
    if not api_key:
        raise Open311Error(403, "缺少 api_key：请向县级管理员申请", "api_key_missing")
    kid, sep, _ = api_key.partition(".")
    found = None
    if sep and _KID.match(kid) and len(api_key) <= 200:
        try:
            found = Open311Client.get(*Open311Client.keys(tenant, kid), consistent_read=True)
        except Open311Client.DoesNotExist:
            found = None
    if found is None or not hmac.compare_digest(found.key_hash, _hash(api_key)):
        raise Open311Error(403, "api_key 无效（已删除，或不属于该 jurisdiction_id）", "api_key_invalid")
    return found


def _touch(client: Open311Client) -> None:
    now = clock.now()
    if client.last_used_at and client.last_used_at > clock.iso(now - LAST_USED_EVERY):
        return
    with contextlib.suppress(UpdateError):  # revoked meanwhile, or throttled: the filing stands either way
        client.update(actions=[Open311Client.last_used_at.set(clock.iso(now))], condition=Open311Client.pk.exists())


# --- filing ----------------------------------------------------------------------------------------------------------

def _one(fields: dict[str, list[str]], name: str) -> str | None:
    """A single-valued parameter: None when absent or empty (the spec: an empty optional argument is no argument)."""
    values = [v for v in fields.get(name, []) if v.strip()]
    if len(values) > 1:
        raise Open311Error(400, f"{name} 只能给一个值", f"{name}_repeated")
    return values[0].strip() if values else None


def _clean_text(value: str, field: str) -> str:
    bad = text.bad_character(value)
    if bad is not None:
        raise Open311Error(400, f"{field} 含有不允许的不可见字符（{text.describe(bad)}）", "invalid_character")
    return text.fold(value)


def _coordinate(raw: str | None, field: str, bound: float) -> float | None:
    if raw is None:
        return None
    try:
        v = float(raw)
    except ValueError:
        v = None
    if v is None or v != v or not -bound <= v <= bound:
        raise Open311Error(400, f"{field} 应为 -{bound:g} 到 {bound:g} 之间的数字（WGS84）", f"{field}_invalid")
    return v


ALLOWED_LEVELS = {"grid": ("grid",), "village": ("village", "grid"), "township": ("township", "village", "grid")}
LEVEL_NAMES = {"grid": "网格", "village": "行政村", "township": "乡镇（街道）"}


def _place(tenant: str, t: types.CaseType, fields: dict[str, list[str]], attrs: dict) -> tuple:
    """(place code, what the submitter wrote about where, lat, long): the code from `address_id`, `attribute[place]`
    or the start of `address_string`; the rest of `address_string` is kept as the case's `location` (staff read
    it); lat/long are stored (rounded) beside it."""
    address = _one(fields, "address_string")
    raw = _one(fields, "address_id") or (attrs.pop("place", None) or [None])[0]
    location = address
    if raw is None and address:
        m = _PLACE_AT_START.match(address)
        if m:
            raw, location = m.group(1), m.group(2).strip() or None
    lat = _coordinate(_one(fields, "lat"), "lat", 90)
    lng = _coordinate(_one(fields, "long"), "long", 180)
    if (lat is None) != (lng is None):
        raise Open311Error(400, "lat 和 long 须同时提供", "lat_long_incomplete")
    levels = ALLOWED_LEVELS.get(t.place_level, (t.place_level,))
    wanted = "或".join(LEVEL_NAMES[lv] for lv in levels if lv in LEVEL_NAMES)
    example = f"{tenant}001201G01" if "grid" in levels else f"{tenant}001201"
    if raw is None:
        if lat is not None:
            raise Open311Error(400, f"暂不能按经纬度确定位置：请在 address_id 中给出本县的{wanted}编码"
                                    f"（如 {example}），lat/long 会一并记录", "location_not_mappable")
        raise Open311Error(400, f"缺少位置：请在 address_id 中给出本县的{wanted}编码（如 {example}）",
                           "location_missing")
    raw = text.fold(str(raw)).strip()
    if not raw.startswith(tenant) or codes.level_of(raw) not in levels:
        raise Open311Error(400, f"address_id 应为本县的{wanted}编码（如 {example}）", "address_id_invalid")
    if location is not None:
        location = _clean_text(location, "address_string")[:100]
    return raw, location, lat, lng


def _attributes(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """attribute[code]=v, attribute[code][]=v1&attribute[code][]=v2 → {code: [values]}."""
    out: dict[str, list[str]] = {}
    for name, values in fields.items():
        m = re.fullmatch(r"attribute\[([^\[\]]{1,40})\](\[\])?", name)
        if m:
            out.setdefault(m.group(1), []).extend(v for v in values if v.strip())
        elif name.startswith("attribute"):
            raise Open311Error(400, f"参数「{_short(name)}」格式不对：应为 attribute[code]=value",
                               "attribute_malformed")
    return {k: v for k, v in out.items() if v}


def _typed(cat: types.Category, attrs: dict[str, list[str]]) -> dict:
    """Form values (text) as the category's field types: numbers as numbers, lists as lists; unknown codes are left
    for the workflow to refuse by name."""
    known = {f.code: f for f in cat.fields}
    extra: dict = {}
    for code, values in attrs.items():
        f = known.get(code)
        values = [_clean_text(v.strip(), f"attribute[{code}]") for v in values]
        if f is not None and f.datatype == "multivaluelist":
            extra[code] = list(dict.fromkeys(values))
            continue
        if len(values) > 1:
            raise Open311Error(400, f"attribute[{code}] 只能给一个值", "attribute_repeated")
        v = values[0]
        if f is not None and f.datatype == "number":
            try:
                n = float(v)
            except ValueError:
                raise Open311Error(400, f"attribute[{code}]（{f.name}）应为数字", "attribute_not_a_number") from None
            if n != n or n in (float("inf"), float("-inf")):
                raise Open311Error(400, f"attribute[{code}]（{f.name}）应为数字", "attribute_not_a_number")
            extra[code] = int(n) if n.is_integer() else n
        elif f is not None and f.datatype == "datetime":
            try:
                dt.datetime.fromisoformat(v)
            except ValueError:
                raise Open311Error(400, f"attribute[{code}]（{f.name}）应为 W3C 日期时间", "attribute_not_a_datetime") \
                    from None
            extra[code] = v
        else:
            extra[code] = v
    return extra


def _submitter(client: Open311Client, fields: dict[str, list[str]]) -> str:
    """The filer's name staff see: the client, and the submitter's name when the client sent one."""
    first, last = _one(fields, "first_name"), _one(fields, "last_name")
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in (first or "") + (last or ""))
    person = "".join(n for n in (last, first) if n) if chinese else " ".join(n for n in (first, last) if n)
    if person:
        if text.bad_character(person, name=True) is not None or len(person) > 40:
            raise Open311Error(400, "first_name / last_name 含有不允许的字符或过长（合计最多40字）", "name_invalid")
        return f"Open311：{client.name}（{text.fold(person)}）"
    return f"Open311：{client.name}"


def file_request(tenant: str, client: Open311Client, fields: dict[str, list[str]]) -> list[dict]:
    """POST requests: one case of the service's type, filed by the client; answered at once (realtime)."""
    auth.rate_limit("open311-file", f"{tenant}#{client.kid}", int(client.per_day), *auth.SHANGHAI_DAY)
    t, cat = service_of(tenant, published(tenant), _one(fields, "service_code"))
    attrs = _attributes(fields)
    place, location, lat, lng = _place(tenant, t, fields, attrs)
    description = _one(fields, "description")
    if description is None or len(description.strip()) < 2:
        raise Open311Error(400, "请在 description 中写明问题（至少2个字）", "description_missing")
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description 最多{DESCRIPTION_MAX}字", "description_too_long")
    description = _clean_text(description, "description")
    extra = _typed(cat, attrs)
    ctx = TenantContext(tenant_id=tenant, user_id=client.uid, identity="")  # the key is the client's credential
    case = cases.file(ctx, t.id, category=cat.code, text=description, place=place, location=location, extra=extra,
                      lat=lat, lng=lng, filer_name=_submitter(client, fields), per_day=int(client.per_day))
    _touch(client)
    names = places.names(tenant, _place_codes([case], tenant))
    notice = f"已受理，编号 {case.ref}，由{_agency(case, t, names) or '属地'}办理"
    if case.due_at:
        notice += f"，预计 {_local(case.due_at)} 前答复"
    return [dict(zip(FILED_FIELDS, (case.ref, notice + "。", None), strict=True))]


FILED_FIELDS = ("service_request_id", "service_notice", "account_id")  # the POST answer, in the spec's order


# --- reading -------------------------------------------------------------------------------------------------------

def check_reads(tenant: str, client_ip: str) -> None:
    """Reads need no key; they are limited per county and client address (429 with Retry-After). The address is
    kept only as a hash in the counter's key, as sign-in's limits do."""
    who = hashlib.sha256(client_ip.encode()).hexdigest()[:24]
    auth.rate_limit("open311-read", f"{tenant}#{who}", READS_PER_MINUTE, 60)


def _w3c(iso: str | None) -> str | None:
    """Stored UTC ISO-8601 → W3C datetime in Asia/Shanghai (2026-05-01T09:30:00+08:00)."""
    if not iso:
        return None
    return dt.datetime.fromisoformat(iso).astimezone(clock.SHANGHAI).isoformat(timespec="seconds")


def _local(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _when(raw: str, field: str) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise Open311Error(400, f"{field} 应为 W3C 日期时间，如 2026-05-01T00:00:00+08:00 或 2026-05-01T00:00:00Z",
                           f"{field}_invalid") from None
    return t if t.tzinfo is not None else t.replace(tzinfo=clock.SHANGHAI)  # no zone: Beijing time


def _ms(t: dt.datetime) -> str:
    return f"{max(0, int(t.timestamp() * 1000)):013d}"


def _place_codes(items, tenant: str) -> set[str]:
    out = {tenant}
    for c in items:
        out |= {c.place, c.township}
        if c.village:
            out.add(c.village)
    return out


def _address(c: Case, names: dict[str, str]) -> str | None:
    """The place's name from the township down (张王村第一网格 is not unique in a county; the township makes it so)."""
    parts = [names.get(code) for code in dict.fromkeys(x for x in (c.township, c.village, c.place) if x)]
    return "".join(p for p in parts if p) or None


def _agency(c: Case, t: types.CaseType, names: dict[str, str]) -> str | None:
    """Who handles it now: the grid (its worker), the village, the township or the county, by name."""
    if c.level == "grid":
        return "".join(p for p in (names.get(c.village or ""), names.get(c.place)) if p) or None
    code = {"village": c.village, "township": c.township, "county": c.pk.split("#", 1)[0]}.get(c.level)
    return names.get(code or "")


def _notes(t: types.CaseType, c: Case) -> str | None:
    outcome = t.outcomes.get(c.outcome or "") if c.status in ("resolved", "closed") else None
    parts = [p for p in (outcome, c.note) if p]
    if c.duplicate_of and not parts:
        parts = [f"重复事项，见 {c.duplicate_of}"]
    return "：".join(parts) or None


def _public(c: Case, t: types.CaseType, names: dict[str, str]) -> dict:
    """The spec's fields of one case, public ones only (see the module's docstring)."""
    cat = categories.get(c.pk.split("#", 1)[0], t, c.category)
    is_open = c.status in types.OPEN_STATUSES
    hidden = set(c.hidden_photos or [])
    photo = next((k for k in c.photos or [] if k not in hidden), None)
    return {
        "service_request_id": c.ref, "status": "open" if is_open else "closed", "status_notes": _notes(t, c),
        "service_name": cat.name if cat else c.category, "service_code": f"{t.id}.{c.category}",
        "description": None if c.hidden_reason else c.text, "agency_responsible": _agency(c, t, names),
        "service_notice": None, "requested_datetime": _w3c(c.created_at), "updated_datetime": _w3c(c.updated_at),
        "expected_datetime": _w3c(c.due_at) if is_open else None, "address": _address(c, names),
        "address_id": c.place, "zipcode": None,
        "lat": float(c.lat) if c.lat is not None else None, "long": float(c.lng) if c.lng is not None else None,
        "media_url": files.download_url(photo) if photo else None,
    }


def _render(tenant: str, items: list[Case], public: dict[str, types.CaseType]) -> list[dict]:
    names = places.names(tenant, _place_codes(items, tenant)) if items else {}
    return [_public(c, public[c.type], names) for c in items]


def get_request(tenant: str, ref: str) -> list[dict]:
    """GET requests/{id}: one case of a public type, as a list of one (the spec's shape)."""
    public = published(tenant)
    try:
        case = cases.load(tenant, ref, consistent=False)
    except NotFound:
        case = None
    if case is None or case.type not in public:
        raise Open311Error(404, f"service_request_id「{_short(ref)}」不存在", "service_request_unknown")
    return _render(tenant, [case], public)


def _split(raw: str | None) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in (raw or "").split(",") if v.strip()))


STATUS_OF = {"open": types.OPEN_STATUSES, "closed": frozenset({"resolved", "closed"})}


def list_requests(tenant: str, query: dict[str, str]) -> list[dict]:
    """GET requests: the county's public cases newest first, at most MAX_RESULTS, filed within a range of at most
    90 days (default: the last 90): one Query of the county's case log (gsi3) with the filters, stopping once the
    answer is full; or, with service_request_id, one BatchGet of those cases."""
    public = published(tenant)
    ids = _split(query.get("service_request_id"))
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"service_request_id 一次最多{MAX_IDS}个", "too_many_ids")
        cids = []
        for ref in ids:
            try:
                cids.append(cases.resolve_cid(tenant, ref))
            except NotFound:
                continue  # not a reference of this county: nothing to find
        got = {c.cid: c for c in Case.batch_get([(Case.partition(tenant, cid), HEAD) for cid in cids])} if cids else {}
        found = [got[cid] for cid in dict.fromkeys(cids) if cid in got and got[cid].type in public]
        return _render(tenant, found, public)

    wanted = _split(query.get("service_code"))
    pairs = [service_of(tenant, public, code) for code in wanted]
    statuses = _split(query.get("status"))
    unknown = [s for s in statuses if s not in STATUS_OF]
    if unknown:
        raise Open311Error(400, "status 只能是 open、closed（可用逗号同时给出）", "status_invalid")
    now = clock.now()
    start = _when(query["start_date"], "start_date") if query.get("start_date") else None
    end = _when(query["end_date"], "end_date") if query.get("end_date") else None
    if start is None and end is None:
        end = now
    if start is None:
        start = end - WINDOW
    if end is None:
        end = min(start + WINDOW, now)
    if end < start:
        raise Open311Error(400, "end_date 不能早于 start_date", "date_range_invalid")
    if end - start > WINDOW:
        raise Open311Error(400, "start_date 与 end_date 相隔不能超过90天", "date_range_too_long")
    if not public:
        return []
    flt = Case.type.is_in(*public)
    if pairs:
        either = None
        for t, cat in pairs:
            one = (Case.type == t.id) & (Case.category == cat.code)
            either = one if either is None else either | one
        flt &= either
    if statuses and set(statuses) != set(STATUS_OF):
        flt &= Case.status.is_in(*STATUS_OF[statuses[0]])
    res = Case.gsi3.query(key(tenant, "CASEC"), Case.gsi3sk.between(_ms(start), _ms(end) + "~"),
                          scan_index_forward=False, filter_condition=flt, page_size=MAX_RESULTS)
    items: list[Case] = []
    for c in res:
        items.append(c)
        if len(items) >= MAX_RESULTS:
            break
    return _render(tenant, items, public)
