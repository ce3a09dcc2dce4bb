"""The rows of a declaration's lines table, built in Python: the same markup as a template loop
(one include per row: about 4 ms a row with its URLs and translations), a tenth of the cost, so
that the declaration page and its htmx fragments stay cheap at 50 rows a page.

{% load procurement_lines %}{% line_rows page_obj declaration can_edit %} renders a page of rows;
{% line_row line declaration can_edit %} one row (the htmx answer after an edit);
{% line_form_fields form %} the fields of the "add a line" form.
"""

from django import template
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

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
    """A function line -> row HTML, with what every row shares computed once."""
    registered = format_html('<span class="badge success">{}</span>', gettext("inscrite"))
    not_registered = format_html('<span class="badge">{}</span>', gettext("non inscrite"))
    edit_label, delete_label = gettext("Modifier"), gettext("Supprimer")
    confirm = gettext("Supprimer cette ligne ?")
    # /declarations/<pk>/lignes/<line>/modifier/ and …/supprimer/: reversed once, with a marker.
    edit_url = reverse("procurement:line_edit", args=[declaration.pk, 0])
    delete_url = reverse("procurement:line_delete", args=[declaration.pk, 0])
    edit_prefix, edit_suffix = edit_url.rsplit("/0/", 1)
    delete_prefix, delete_suffix = delete_url.rsplit("/0/", 1)
    amount_text = _amount_formatter()

    def row(line) -> str:
        delay = (
            format_html("{} j", line.payment_delay_days)
            if line.payment_delay_days is not None
            else "—"
        )
        comment = (
            format_html('<div class="muted small-text">« {} »</div>', line.sme_comment)
            if line.sme_comment
            else ""
        )
        actions = ""
        if can_edit:
            hidden = format_html(
                '<span class="visually-hidden"> {} {}</span>',
                line.sme_name,
                f"{line.amount:f}".replace(".", formats.get_format("DECIMAL_SEPARATOR")),
            )
            edit = f"{edit_prefix}/{line.pk}/{edit_suffix}"
            delete = f"{delete_prefix}/{line.pk}/{delete_suffix}"
            actions = format_html(
                '<a href="{}" hx-get="{}" hx-target="closest tr" hx-swap="outerHTML">{}{}</a> '
                '<a href="{}" hx-post="{}" hx-confirm="{}" hx-target="closest tr" '
                'hx-swap="outerHTML" data-line-delete class="danger-link">{}{}</a>',
                edit,
                edit,
                edit_label,
                hidden,
                delete,
                delete,
                confirm,
                delete_label,
                hidden,
            )
        return format_html(
            '<tr id="line-{}"><td>{} <br><span class="muted">{}</span> {}</td>'
            '<td class="num">{} €</td><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td>'
            '<td><span class="badge {}">{}</span>{}</td><td class="row-actions">{}</td></tr>',
            line.pk,
            line.sme_name,
            line.sme_siren,
            registered if line.registered else not_registered,
            amount_text(line.amount),
            line.order_date.strftime("%d/%m/%Y"),
            line.domain.name,
            line.reference or "—",
            delay,
            line.sme_status,
            line.get_sme_status_display(),
            comment,
            actions,
        )

    return row


@register.simple_tag
def line_rows(lines, declaration, can_edit):
    row = _row_builder(declaration, bool(can_edit))
    return mark_safe("".join(row(line) for line in lines))  # noqa: S308 (each row escaped)


@register.simple_tag
def line_row(line, declaration, can_edit):
    return _row_builder(declaration, bool(can_edit))(line)


# The blank "add a line" form as rendered, by (language, year, domain choices): the same for
# every declaration of a campaign, and about 5 ms of template work at each page and htmx answer.
_BLANK_LINE_FORMS: dict[tuple, str] = {}


@register.simple_tag
def line_form_fields(form):
    """procurement/_line_form.html for `form`; a blank form's HTML is kept per process, keyed by
    everything it shows that can change (the language, the year's date bounds, the domains)."""
    if form.is_bound or form.initial:
        return render_to_string("procurement/_line_form.html", {"form": form})
    choices = tuple((str(value), str(label)) for value, label in form.fields["domain"].choices)
    key = (get_language(), form.declaration.campaign.year, choices)
    html = _BLANK_LINE_FORMS.get(key)
    if html is None:
        if len(_BLANK_LINE_FORMS) > 50:
            _BLANK_LINE_FORMS.clear()
        html = _BLANK_LINE_FORMS[key] = render_to_string(
            "procurement/_line_form.html", {"form": form}
        )
    return html
