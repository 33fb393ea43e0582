"""OpenAPI 3.1 document generated from the route table (core.http.ROUTES) and the pydantic schemas."""

from __future__ import annotations

import re

from pydantic import BaseModel

from .http import ROUTES

ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}},
}


def _schema(model: type[BaseModel], components: dict, mode: str) -> dict:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def document(prefix: str = "/api") -> dict:
    components: dict = {"Error": ERROR}
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
        if params:
            op["parameters"] = params
        if r.body is not None:
            # A missing body is read as {}: it is required only when the model has required fields.
            op["requestBody"] = {"required": bool(r.body.model_json_schema().get("required")),
                                 "content": {"application/json": {
                "schema": _schema(r.body, components, "validation")}}}
        ok: dict = {"description": "OK"}
        if r.response is not None:
            ok["content"] = {"application/json": {"schema": _schema(r.response, components, "serialization")}}
        op["responses"][str(r.status)] = ok
        # 401/403 on public routes: a refresh token that is no longer valid, a county switched off; 429 anywhere:
        # the gateway's throttling and per-person limits (tip-offs); 413/415: a body too large or not JSON.
        codes = ["400", "401", "403", "422", "429", "503"] if r.public else \
            ["400", "401", "403", "404", "409", "422", "429", "503"]
        if r.body is not None:
            codes = sorted([*codes, "413", "415"])
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
                 "description": "Multi-tenant rural governance. Errors: {\"error\": {code, message, details}}."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
