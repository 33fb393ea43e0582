"""Platform: spreadsheet imports of households, members and staff."""

from ..core.modules import Module
from ..core.tenancy import OFFICE_ROLES

MODULE = Module(
    id="imports", name="批量导入", name_en="Imports", packages=("chalicelib.imports",), switchable=False,
    blueprints=("chalicelib.imports.api",),
    permissions={"imports.write": OFFICE_ROLES})
