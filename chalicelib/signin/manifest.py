"""Platform: sign-in, token refresh, county switch and /me (always on)."""

from ..core.modules import Module

MODULE = Module(id="signin", name="登录", name_en="Sign-in", packages=("chalicelib.signin",), switchable=False,
                blueprints=("chalicelib.signin.api",))
