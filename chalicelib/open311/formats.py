"""How GeoReport v2 speaks over HTTP: form-encoded POST bodies in; JSON or XML out, as the spec shapes them (lists as
JSON arrays, XML with a declared UTF-8 encoding and no namespace); errors as the spec's error array
`[{"code": 400, "description": "..."}]` / `<errors><error><code>…` with the HTTP status (404 missing, 403 api_key,
400 anything else, 429/503 with Retry-After). The project's own routes answer in its JSON envelope; these don't."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

from chalice import Response

from ..core.config import settings
from ..core.errors import AppError, ValidationFailed
from .service import Open311Error

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")
MAX_FIELDS = 200

# The XML element of a list answer and of each of its items; nested lists name their items too.
ROOTS = {"services": ("services", "service"), "requests": ("service_requests", "request"),
         "errors": ("errors", "error")}
ITEMS = {"attributes": "attribute", "values": "value"}


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value) -> str:
    """An element's text: booleans as the spec writes them; characters XML 1.0 cannot carry (an echoed bad input)
    dropped, so that every answer parses."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _add(parent, tag: str, value) -> None:
    from xml.etree import ElementTree as ET

    el = ET.SubElement(parent, tag)
    if value is None:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _add(el, k, v)
    elif isinstance(value, list):
        for v in value:
            _add(el, ITEMS.get(tag, "item"), v)
    else:
        el.text = _text(value)


def to_xml(kind: str, payload) -> str:
    from xml.etree import ElementTree as ET

    if kind in ROOTS:
        root_tag, item_tag = ROOTS[kind]
        root = ET.Element(root_tag)
        for item in payload:
            _add(root, item_tag, item)
    else:  # one object: the service definition
        root = ET.Element(kind)
        for k, v in payload.items():
            _add(root, k, v)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def respond(fmt: str, kind: str, payload, status: int = 200, headers: dict | None = None) -> Response:
    if fmt == "xml":
        body, ctype = to_xml(kind, payload), XML_TYPE
    else:
        body, ctype = json.dumps(payload, ensure_ascii=False), JSON_TYPE
    return Response(body=body, status_code=status, headers={"Content-Type": ctype, **(headers or {})})


# Our field names → the spec's parameter names, for the errors the case workflow reports.
FIELD_NAMES = {"place": "address_id", "category": "service_code", "text": "description", "location": "address_string"}


def _field(name: str) -> str:
    if name.startswith("extra."):
        return f"attribute[{name[6:]}]"
    return FIELD_NAMES.get(name, name)


def errors_of(e: AppError) -> tuple[int, list[dict]]:
    """The HTTP status and the spec's error list of a domain error (a failed validation is a 400 per field)."""
    status = 400 if isinstance(e, ValidationFailed) or e.status == 422 else e.status
    if isinstance(e, ValidationFailed) and isinstance(e.details, list) and e.details:
        return status, [{"code": status, "description": f"{_field(str(d.get('field', '')))}: {d.get('message', '')}"}
                        for d in e.details if isinstance(d, dict)]
    return status, [{"code": status, "description": e.message}]


def error(fmt: str, e: AppError) -> Response:
    status, items = errors_of(e)
    return respond(fmt if fmt in FORMATS else "json", "errors", items, status, e.headers)


def parse_form(request) -> dict[str, list[str]]:
    """A POST body as the spec sends it (application/x-www-form-urlencoded, UTF-8): name → values in order.
    `api_key` and `jurisdiction_id` may also come in the query string (some clients put them there)."""
    raw = request.raw_body or b""
    if len(raw) > settings().max_body_bytes:
        raise Open311Error(413, f"提交的内容过大（最多 {settings().max_body_bytes // 1024} KB）", "payload_too_large")
    ctype = ((request.headers or {}).get("content-type") or "").split(";")[0].strip().lower()
    if raw and ctype != "application/x-www-form-urlencoded":
        raise Open311Error(400, "请以 application/x-www-form-urlencoded 提交（GeoReport v2）", "unsupported_media_type")
    try:
        body = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except UnicodeDecodeError:
        raise Open311Error(400, "请求内容应为 UTF-8 编码", "invalid_encoding") from None
    except ValueError:
        raise Open311Error(400, f"参数过多（最多{MAX_FIELDS}个）", "too_many_fields") from None
    fields: dict[str, list[str]] = {}
    for k, v in pairs:
        fields.setdefault(k, []).append(v)
    query = request.query_params or {}
    for k in ("api_key", "jurisdiction_id"):
        if k not in fields and query.get(k):
            fields[k] = [query.get(k)]
    return fields


def query_of(request) -> dict[str, str]:
    """Query parameters, one value each (a repeated one is read as a comma list, as the spec lists values)."""
    q = request.query_params or {}
    out = {}
    for k in q:
        values = q.getlist(k) if hasattr(q, "getlist") else [q[k]]
        out[k] = ",".join(v for v in values if v)
    return out
