"""Platform: each person's in-app inbox (消息)."""

from ..core.modules import Module

MODULE = Module(id="inbox", name="消息", name_en="Inbox", packages=("chalicelib.inbox",), switchable=False,
                blueprints=("chalicelib.inbox.api",), home="chalicelib.inbox.service:home")
