"""The rows of a declaration's lines table, built in Python: the same markup as the template
included once per row, which took about 20 ms of CPU for a page of 50 rows (URLs, translations,
filters, escaping); here about 0.5 ms, so that the declaration page and its htmx fragments stay
cheap.

{% load procurement_lines %}{% line_rows page_obj declaration can_edit %} renders a page of rows;
{% line_row line declaration can_edit %} one row (the htmx answer after an edit);
{% line_form_fields form %} the fields of the "add a line" form.
"""

from html import escape as esc

from django import template
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from ..models import OrderLine

register = template.Library()


def _amount_formatter():
    """What `{{ amount|floatformat:"2g" }}` writes ("12 345,60" in French), without the filter's
    cost at each row: the separators are read once."""
    decimal, thousand = (
        formats.get_format("DECIMAL_SEPARATOR"),
        formats.get_format("THOUSAND_SEPARATOR"),
    )
    if formats.get_format("NUMBER_GROUPING") != 3:
        return lambda amount: floatformat(amount, "2g")
    table = str.maketrans({",": thousand, ".": decimal})
    return lambda amount: f"{amount:,.2f}".translate(table)


def _row_builder(declaration, can_edit: bool):
    """A function line -> row HTML (a plain str, every value escaped with the standard library's
    html.escape, as Django's own escape does), with what every row shares computed once."""
    registered = f'<span class="badge success">{esc(gettext("inscrite"))}</span>'
    not_registered = f'<span class="badge">{esc(gettext("non inscrite"))}</span>'
    edit_label, delete_label = esc(gettext("Modifier")), esc(gettext("Supprimer"))
    confirm = esc(gettext("Supprimer cette ligne ?"))
    site_label = esc(gettext("Site :"))
    statuses = {value: esc(str(label)) for value, label in OrderLine.SMEStatus.choices}
    # /declarations/<pk>/lignes/<line>/modifier/ and …/supprimer/: reversed once, with a marker.
    edit_url = reverse("procurement:line_edit", args=[declaration.pk, 0])
    delete_url = reverse("procurement:line_delete", args=[declaration.pk, 0])
    edit_prefix, edit_suffix = edit_url.rsplit("/0/", 1)
    delete_prefix, delete_suffix = delete_url.rsplit("/0/", 1)
    amount_text = _amount_formatter()
    decimal = formats.get_format("DECIMAL_SEPARATOR")

    def row(line) -> str:
        name = esc(line.sme_name)
        delay = f"{line.payment_delay_days} j" if line.payment_delay_days is not None else "—"
        comment = (
            f'<div class="muted small-text">« {esc(line.sme_comment)} »</div>'
            if line.sme_comment
            else ""
        )
        site = (
            f'<div class="muted small-text">{site_label} {esc(line.site.name)}</div>'
            if line.site_id
            else ""
        )
        actions = ""
        if can_edit:
            hidden = (
                f'<span class="visually-hidden"> {name} '
                f"{esc(f'{line.amount:f}'.replace('.', decimal))}</span>"
            )
            edit = esc(f"{edit_prefix}/{line.pk}/{edit_suffix}")
            delete = esc(f"{delete_prefix}/{line.pk}/{delete_suffix}")
            actions = (
                f'<a href="{edit}" hx-get="{edit}" hx-target="closest tr" '
                f'hx-swap="outerHTML">{edit_label}{hidden}</a> '
                f'<a href="{delete}" hx-post="{delete}" hx-confirm="{confirm}" '
                f'hx-target="closest tr" hx-swap="outerHTML" data-line-delete '
                f'class="danger-link">{delete_label}{hidden}</a>'
            )
        return (
            f'<tr id="line-{line.pk}"><td>{name} <br><span class="muted">'
            f"{esc(line.sme_siren)}</span> {registered if line.registered else not_registered}"
            f'</td><td class="num">{esc(amount_text(line.amount))} €</td>'
            f"<td>{line.order_date.strftime('%d/%m/%Y')}</td><td>{esc(line.domain.name)}</td>"
            f'<td>{esc(line.reference) or "—"}{site}</td><td class="num">{delay}</td>'
            f'<td><span class="badge {esc(line.sme_status)}">'
            f"{statuses.get(line.sme_status, esc(line.sme_status))}</span>{comment}</td>"
            f'<td class="row-actions">{actions}</td></tr>'
        )

    return row


@register.simple_tag
def line_rows(lines, declaration, can_edit):
    row = _row_builder(declaration, bool(can_edit))
    return mark_safe("".join(row(line) for line in lines))  # noqa: S308 (each row escaped)


@register.simple_tag
def line_row(line, declaration, can_edit):
    return mark_safe(_row_builder(declaration, bool(can_edit))(line))  # noqa: S308 (escaped)


# The blank "add a line" form as rendered, by (language, year, domain and site choices): the same
# for every declaration of a campaign and account's sites, and about 5 ms of template work at each page and htmx answer.
_BLANK_LINE_FORMS: dict[tuple, str] = {}


@register.simple_tag
def line_form_fields(form):
    """procurement/_line_form.html for `form`; a blank form's HTML is kept per process, keyed by
    everything it shows that can change (the language, the year's date bounds, the domains, the
    account's buying sites)."""
    if form.is_bound or form.initial:
        return render_to_string("procurement/_line_form.html", {"form": form})
    choices = tuple((str(value), str(label)) for value, label in form.fields["domain"].choices)
    # The buying sites are the account's own: their choices are part of the key, so that no
    # account is ever shown another's sites.
    sites = (
        tuple((str(value), str(label)) for value, label in form.fields["site"].choices)
        if "site" in form.fields
        else ()
    )
    key = (get_language(), form.declaration.campaign.year, choices, sites)
    html = _BLANK_LINE_FORMS.get(key)
    if html is None:
        if len(_BLANK_LINE_FORMS) > 50:
            _BLANK_LINE_FORMS.clear()
        html = _BLANK_LINE_FORMS[key] = render_to_string(
            "procurement/_line_form.html", {"form": form}
        )
    return html
