"""OpenAPI 3.1 document generated from the route table (core.http.ROUTES) and the pydantic schemas."""

from __future__ import annotations

import json
import re

from .http import ROUTES

ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}},
}


# --- Open311 GeoReport v2 (chalicelib/open311): routes that speak the spec, not the project's JSON conventions ---
# They are RouteSpecs with `extra["open311"] = {"kind", "format"}`: `format` is "json" or "xml" for `services.json`-
# style paths and "suffix" for `services/{service}`-style ones, whose parameter carries the format (`snap.road.xml`).
# Answers and errors are in the spec's shapes (the same schema describes the JSON and the XML form; `xml` names the
# elements), errors are the spec's error array, and filing takes a form-encoded body.

O311_TYPES = {"json": ("application/json",), "xml": ("text/xml",), "suffix": ("application/json", "text/xml")}
# A path parameter with its format: `snap.road.json`, `SP-330825-000001.xml` (anything else is a 404).
O311_PARAM = {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,195}\\.(json|xml)$",
              "description": "the identifier followed by the format: `.json` or `.xml`"}
_NULLABLE = {"type": ["string", "null"]}
O311_SCHEMAS = {
    "Open311Error": {"type": "object", "required": ["code", "description"], "additionalProperties": False,
                     "properties": {"code": {"type": "integer", "description": "the HTTP status"},
                                    "description": {"type": "string", "description": "中文说明，naming the parameter"}},
                     "xml": {"name": "error"}},
    "Open311Errors": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Open311Error"},
                      "xml": {"name": "errors"}},
    "Open311Service": {
        "type": "object", "xml": {"name": "service"},
        "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
        "properties": {"service_code": {"type": "string", "description": "`{case type}.{category}`, e.g. snap.road"},
                       "service_name": {"type": "string"}, "description": {"type": "string"},
                       "metadata": {"type": "boolean", "description": "whether the service has attributes"},
                       "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
                       "keywords": {"type": "string"}, "group": {"type": "string"}}},
    "Open311Services": {"type": "array", "items": {"$ref": "#/components/schemas/Open311Service"},
                        "xml": {"name": "services"}},
    "Open311Attribute": {
        "type": "object", "xml": {"name": "attribute"},
        "required": ["variable", "code", "datatype", "required", "order", "description", "values"],
        "properties": {"variable": {"type": "boolean"}, "code": {"type": "string"},
                       "datatype": {"type": "string", "enum": ["string", "number", "datetime", "text",
                                                              "singlevaluelist", "multivaluelist"]},
                       "required": {"type": "boolean"}, "datatype_description": _NULLABLE,
                       "order": {"type": "integer"}, "description": {"type": "string"},
                       "values": {"type": "array", "xml": {"wrapped": True}, "items": {
                           "type": "object", "xml": {"name": "value"}, "required": ["key", "name"],
                           "properties": {"key": {"type": "string"}, "name": {"type": "string"}}}}}},
    "Open311ServiceDefinition": {
        "type": "object", "xml": {"name": "service_definition"}, "required": ["service_code", "attributes"],
        "properties": {"service_code": {"type": "string"},
                       "attributes": {"type": "array", "xml": {"wrapped": True},
                                      "items": {"$ref": "#/components/schemas/Open311Attribute"}}}},
    "Open311Request": {
        "type": "object", "xml": {"name": "request"},
        "description": "public fields only: never the filer, never what the filer wrote about where",
        "required": ["service_request_id", "status", "service_code", "requested_datetime", "address_id"],
        "properties": {
            "service_request_id": {"type": "string", "description": "the case's reference, e.g. SP-330825-000123"},
            "status": {"type": "string", "enum": ["open", "closed"]}, "status_notes": _NULLABLE,
            "service_name": {"type": "string"}, "service_code": {"type": "string"},
            "description": {"type": ["string", "null"], "description": "null when staff hid the words"},
            "agency_responsible": _NULLABLE, "service_notice": _NULLABLE,
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": {"type": ["string", "null"], "format": "date-time"},
            "expected_datetime": {"type": ["string", "null"], "format": "date-time"},
            "address": _NULLABLE, "address_id": {"type": "string"}, "zipcode": _NULLABLE,
            "lat": {"type": ["number", "null"]}, "long": {"type": ["number", "null"]},
            "media_url": {"type": ["string", "null"], "description": "a 15-minute signed link to the first photo"}}},
    "Open311Requests": {"type": "array", "items": {"$ref": "#/components/schemas/Open311Request"},
                        "xml": {"name": "service_requests"}},
    "Open311Filed": {"type": "array", "xml": {"name": "service_requests"}, "minItems": 1, "maxItems": 1, "items": {
        "type": "object", "xml": {"name": "request"}, "required": ["service_request_id", "service_notice"],
        "properties": {"service_request_id": {"type": "string"}, "service_notice": {"type": "string"},
                       "account_id": {"type": ["string", "null"]}}}},
    "Open311RequestForm": {
        "type": "object", "required": ["api_key", "jurisdiction_id", "service_code", "description"],
        "description": "GeoReport v2 POST Service Request. Unknown fields are ignored (clients add their own). The "
                       "place is a grid (or village) code of the county, as address_id, attribute[place] or at the "
                       "start of address_string; lat/long alone cannot be placed.",
        "properties": {
            "api_key": {"type": "string", "description": "the client's key, issued by the county admin (may also "
                                                         "be in the query string)"},
            "jurisdiction_id": {"type": "string", "pattern": "^\\d{6}$",
                                "description": "the county's 6-digit division code (may also be in the query string)"},
            "service_code": {"type": "string", "description": "e.g. snap.road (GET services)"},
            "description": {"type": "string", "minLength": 2, "maxLength": 500},
            "address_string": {"type": "string", "description": "may start with the place's code; the rest is "
                                                                "kept for staff only"},
            "address_id": {"type": "string", "description": "a grid (or village) code of the county, e.g. "
                                                            "330825001201G01"},
            "lat": {"type": "number", "minimum": -90, "maximum": 90, "description": "WGS84, with long"},
            "long": {"type": "number", "minimum": -180, "maximum": 180, "description": "WGS84, with lat"},
            "email": {"type": "string", "description": "accepted, never stored"},
            "first_name": {"type": "string", "description": "part of the filer's name staff see"},
            "last_name": {"type": "string", "description": "part of the filer's name staff see"},
            "phone": {"type": "string", "description": "accepted, never stored"},
            "device_id": {"type": "string", "description": "accepted, never stored"},
            "account_id": {"type": "string", "description": "accepted, never stored"},
            "media_url": {"type": "string", "description": "accepted, never fetched nor stored"}},
        "patternProperties": {"^attribute\\[[^\\[\\]]{1,40}\\](\\[\\])?$": {
            "type": "string", "description": "attribute[code]=value (GET services/{code}); a multi-value list "
                                             "repeats attribute[code][]="}},
        "additionalProperties": True},
}
O311_SUCCESS = {"services": "Open311Services", "service_definition": "Open311ServiceDefinition",
                "requests": "Open311Requests"}


def _open311(r, op: dict, params: list[dict], components: dict) -> None:
    """The parameters, body and responses of a GeoReport route (see O311_SCHEMAS)."""
    info = r.extra["open311"]
    types = O311_TYPES[info["format"]]
    components.update(O311_SCHEMAS)
    for p in params:
        if p["in"] == "path":
            p["schema"] = dict(O311_PARAM)

    def content(name: str) -> dict:
        return {t: {"schema": {"$ref": f"#/components/schemas/{name}"}} for t in types}

    if r.method == "POST":
        op["requestBody"] = {"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": {"$ref": "#/components/schemas/Open311RequestForm"}}}}
        codes = ["400", "403", "404", "409", "413", "429", "503"]
        op["responses"][str(r.status)] = {"description": "Filed at once (realtime)", "content": content("Open311Filed")}
    else:
        codes = ["400", "403", "404", "429", "503"]
        if r.name != "open311_token":  # no token is ever issued: that route always answers 404
            op["responses"][str(r.status)] = {"description": "OK", "content": content(O311_SUCCESS[info["kind"]])}
    for c in codes:
        op["responses"][c] = {"description": "Error (the spec's error array)", "content": content("Open311Errors")}


def _schemas(routes) -> tuple[dict, dict]:
    """Every body and response model at once, so that pydantic names each component uniquely: two modules' models
    of the same class name (boards' and daily_report's SettingsIn) get qualified names instead of overwriting each
    other. Returns ({(model, mode): {"$ref": …}}, components)."""
    from pydantic.json_schema import models_json_schema

    pairs = list(dict.fromkeys([(r.body, "validation") for r in routes if r.body is not None and "open311" not in
                                r.extra] + [(r.response, "serialization") for r in routes
                                            if r.response is not None and "open311" not in r.extra]))
    refs, top = models_json_schema(pairs, ref_template="#/components/schemas/{model}")
    # pydantic qualifies a clashing name by its module path (chalicelib__boards__schemas__SettingsIn); name it by
    # the module instead (BoardsSettingsIn): shorter, and without the double underscores some tools mangle.
    renamed = {name: "".join(w.title() for w in name.split("__")[1].split("_")) + name.rsplit("__", 1)[1]
               for name in top.get("$defs", {}) if name.startswith("chalicelib__")}
    text = json.dumps([list(refs.values()), top.get("$defs", {})], ensure_ascii=False)
    for name, short in renamed.items():
        text = text.replace(f'"#/components/schemas/{name}"', f'"#/components/schemas/{short}"')
    ref_list, defs = json.loads(text)
    return dict(zip(refs, ref_list, strict=True)), {renamed.get(k, k): v for k, v in defs.items()}


def document(prefix: str = "/api") -> dict:
    refs, defs = _schemas(ROUTES)
    components: dict = {"Error": ERROR, **defs}
    paths: dict = {}
    for r in sorted(ROUTES, key=lambda r: (r.path, r.method)):
        op: dict = {"operationId": r.name, "summary": r.summary, "tags": list(r.tags), "responses": {}}
        params = [{"name": p, "in": "path", "required": True,
                   "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}}
                  for p in re.findall(r"{(\w+)}", r.path)]
        if r.query is not None:
            qs = r.query.model_json_schema()
            required = set(qs.get("required", []))
            for name, prop in qs.get("properties", {}).items():
                prop = {k: v for k, v in prop.items() if k != "title"}
                params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
        if r.idempotent:
            params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "schema": {"type": "string", "pattern": "^[A-Za-z0-9_\\-:.]{8,128}$"}})
        if "open311" in r.extra:
            _open311(r, op, params, components)
            op["parameters"] = params
            paths.setdefault(prefix + r.path, {})[r.method.lower()] = op
            continue
        if params:
            op["parameters"] = params
        if r.body is not None:
            # A missing body is read as {}: it is required only when the model has required fields.
            op["requestBody"] = {"required": bool(r.body.model_json_schema().get("required")),
                                 "content": {"application/json": {
                "schema": refs[(r.body, "validation")]}}}
        ok: dict = {"description": "OK"}
        if r.response is not None:
            ok["content"] = {"application/json": {"schema": refs[(r.response, "serialization")]}}
        elif r.extra.get("media_type"):
            ok["content"] = {r.extra["media_type"]: {"schema": {"type": "string"}}}
        op["responses"][str(r.status)] = ok
        # 401/403 on public routes: a refresh token that is no longer valid, a county switched off; 429 anywhere:
        # the gateway's throttling and per-person limits (tip-offs); 413/415: a body too large or not JSON.
        codes = ["400", "401", "403", "422", "429", "503"] if r.public else \
            ["400", "401", "403", "404", "409", "422", "429", "503"]
        if r.body is not None:
            codes = sorted([*codes, "413", "415"])
        codes = sorted({*codes, *(str(c) for c in r.errors)})
        for c in codes:
            op["responses"][c] = {"description": "Error", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}
        if not r.public:
            op["security"] = [{"bearer": []}]
        if r.permission:
            op["x-permission"] = r.permission
        paths.setdefault(prefix + r.path, {})[r.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "村情通 Cunqingtong API", "version": "0.1.0",
                 "description": "Multi-tenant rural governance. Errors: {\"error\": {code, message, details}}, "
                                "except on the Open311 GeoReport v2 routes (tag open311), which answer JSON or XML "
                                "and errors as the spec's error array [{code, description}]."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
