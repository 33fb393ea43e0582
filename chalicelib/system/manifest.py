"""Platform: health and version routes (always on)."""

from ..core.modules import Module

MODULE = Module(id="system", name="系统", name_en="System", packages=("chalicelib.system",), switchable=False,
                blueprints=("chalicelib.system.api",))
