"""Answers that API Gateway gives before our code runs, in our error envelope. The deployment sets these as
Gateway Responses; the local gateway (devstack) answers the same."""

GATEWAY_RESPONSES = {
    "UNAUTHORIZED": (401, "unauthorized", "请先登录"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "no_such_route", "接口不存在"),
    "ACCESS_DENIED": (403, "forbidden", "没有权限执行此操作"),
    "THROTTLED": (429, "too_many_requests", "操作过于频繁，请稍后再试"),
    "REQUEST_TOO_LARGE": (413, "payload_too_large", "提交的内容过大"),
    "DEFAULT_5XX": (503, "service_unavailable", "服务繁忙，请稍后重试"),
}


def envelope(kind: str) -> tuple[int, dict]:
    status, code, message = GATEWAY_RESPONSES[kind]
    return status, {"error": {"code": code, "message": message, "details": None}}
