"""Domain errors and the one error envelope: {"error": {"code", "message", "details"}}.

Messages are in Chinese for the people who read them; codes are stable English identifiers for programs.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(self, message: str | None = None, *, code: str | None = None, details: Any = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message
        if code:
            self.code = code
        self.details = details
        self.headers = headers or {}

    def envelope(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class ValidationFailed(AppError):
    status = 422
    code = "validation_failed"
    message = "提交的内容不符合要求"


class BadRequest(AppError):
    status = 400
    code = "bad_request"
    message = "请求格式有误"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    message = "请先登录"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    message = "没有权限执行此操作"


class NotFound(AppError):
    status = 404
    code = "not_found"
    message = "找不到该记录"


class Conflict(AppError):
    status = 409
    code = "conflict"
    message = "与已有记录冲突"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
    message = "提交的内容过大"


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"
    message = "请以 JSON 格式提交"


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"
    message = "操作过于频繁，请稍后再试"

    def __init__(self, message: str | None = None, *, retry_after: int, code: str | None = None):
        super().__init__(message, code=code, details={"retry_after": retry_after},
                         headers={"Retry-After": str(max(1, int(retry_after)))})


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    message = "服务繁忙，请稍后重试"

    def __init__(self, message: str | None = None, *, retry_after: int = 2):
        super().__init__(message, headers={"Retry-After": str(retry_after)})


def field_errors(errors: list[dict]) -> list[dict]:
    """Turn pydantic errors into [{field, code, message}] with Chinese messages."""
    out = []
    for e in errors:
        loc = ".".join(str(p) for p in e.get("loc", ()) if p != "__root__")
        kind = e.get("type", "invalid")
        out.append({"field": loc, "code": kind, "message": _zh(kind, e)})
    return out


_ZH = {
    "missing": "此项必填",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为是/否",
    "bool_parsing": "应为是/否",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "too_long": "条目过多",
    "too_short": "条目过少",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "value_error": "取值无效",
}


def _zh(kind: str, e: dict) -> str:
    if kind == "value_error":
        msg = str(e.get("msg", ""))
        # Our validators raise ValueError with a Chinese message; pydantic prefixes "Value error, ".
        return msg.split(", ", 1)[1] if msg.startswith("Value error, ") else "取值无效"
    return _ZH.get(kind, "取值无效")
