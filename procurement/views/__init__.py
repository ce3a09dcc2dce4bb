"""Declarations pages: thin views that parse with a form, call a service or selector, render."""

from .declarations import (
    declaration_detail,
    declaration_history,
    declaration_home,
    declaration_reopen,
    declaration_start,
    declaration_submit,
    declaration_total,
    declaration_totals,
    line_add,
    line_delete,
    line_edit,
    line_row,
    sme_autocomplete,
)
from .figures import account_figures, account_figures_export, account_key_figures_export
from .imports import (
    import_cancel,
    import_confirm,
    import_detail,
    import_progress,
    import_template,
    import_upload,
)
from .sme import sme_order_respond, sme_orders
from .staff import (
    campaign_dashboard,
    campaign_export,
    campaign_form,
    campaign_remind,
    campaign_state,
    staff_campaigns,
)

__all__ = [
    "account_figures",
    "account_figures_export",
    "account_key_figures_export",
    "campaign_dashboard",
    "campaign_export",
    "campaign_form",
    "campaign_remind",
    "campaign_state",
    "declaration_detail",
    "declaration_history",
    "declaration_home",
    "declaration_reopen",
    "declaration_start",
    "declaration_submit",
    "declaration_total",
    "declaration_totals",
    "import_cancel",
    "import_confirm",
    "import_detail",
    "import_progress",
    "import_template",
    "import_upload",
    "line_add",
    "line_delete",
    "line_edit",
    "line_row",
    "sme_autocomplete",
    "sme_order_respond",
    "sme_orders",
    "staff_campaigns",
]
