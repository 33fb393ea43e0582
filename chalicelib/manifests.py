"""Every module's manifest, platform parts first, then the county modules in catalogue order.

app.py registers them and wires their blueprints; functions that do not import app.py (the stream reader) call
core.modules.ensure_registered(), which imports this file. Adding a module is adding its manifest here.
"""

from .backoffice import manifest as backoffice
from .boards import manifest as boards
from .cases import manifest as cases
from .daily_report import manifest as daily_report
from .datarights import manifest as datarights
from .errands import manifest as errands
from .households import manifest as households
from .imports import manifest as imports
from .inbox import manifest as inbox
from .insights import manifest as insights
from .interviews import manifest as interviews
from .lectures import manifest as lectures
from .letters import manifest as letters
from .notices import manifest as notices
from .open311 import manifest as open311
from .passes import manifest as passes
from .places import manifest as places
from .recruitment import manifest as recruitment
from .signin import manifest as signin
from .snaps import manifest as snaps
from .staff import manifest as staff
from .system import manifest as system
from .tenants import manifest as tenants
from .tipoffs import manifest as tipoffs
from .vanguard import manifest as vanguard
from .volunteers import manifest as volunteers
from .workdays import manifest as workdays

MODULES = tuple(m.MODULE for m in (system, signin, tenants, places, households, staff, imports, inbox, workdays,
                                   cases, backoffice, insights, datarights, open311, daily_report, passes, tipoffs,
                                   snaps, letters, errands, notices, boards, vanguard, recruitment, interviews,
                                   volunteers, lectures))


def register() -> None:
    from .core import modules

    modules.register(*MODULES)
