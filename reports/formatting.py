"""French number formats for the reports: "1 234 567 €", "12,5 %", "+3,4 pts", "n.s.".

The formats themselves live in `procurement.formatting`, shared with the account's figures page
and exports so that a figure reads the same on every surface; the reports add "n.s.".
"""

from django.utils.translation import gettext as _

from procurement.formatting import (  # noqa: F401 - re-exported for the reports
    MISSING,
    NBSP,
    NNBSP,
    change_count,
    change_days,
    change_points,
    change_ratio,
    days,
    euros,
    number,
    percent,
)


def not_significant() -> str:
    """What a suppressed cell shows (fewer than three members behind it)."""
    return _("n.s.")
