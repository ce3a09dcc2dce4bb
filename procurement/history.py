"""A declaration's history as people read it: field labels, amounts in euros, dates in French
(Paris time), states translated, people and organisations by name.

pghistory keeps each change as JSON (`pgh_diff`: field -> [before, after], with ISO strings for
dates and ids for foreign keys); `readable_changes` turns the events of a page into rows, with one
query per kind of object named on the page (people, organisations, domains).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, User
from directory.models import Domain

from . import formatting
from .models import Declaration, OrderLine, Site

MISSING = "–"
# Bookkeeping columns that change with every edit: nothing a reader needs.
HIDDEN = frozenset({"id", "created_at", "updated_at", "declaration", "declaration_id"})
# Fields without a label of their own on the models.
EXTRA_LABELS = {
    "submitted_at": gettext_lazy("soumise le"),
    "submitted_by": gettext_lazy("soumise par"),
    "reopened_at": gettext_lazy("rouverte le"),
    "reopened_by": gettext_lazy("rouverte par"),
    "sme_responded_at": gettext_lazy("réponse de la PME le"),
    "sme_responded_by": gettext_lazy("réponse de la PME par"),
    "state": gettext_lazy("état"),
    "sme_status": gettext_lazy("réponse de la PME"),
    "sme_profile": gettext_lazy("SIREN de la PME"),
    "organisation": gettext_lazy("organisation"),
    "campaign": gettext_lazy("campagne"),
}
NAMED = {User: "user", Organisation: "organisation", Domain: "domain", Site: "site"}


def _fields() -> dict[str, models.Field]:
    fields = {}
    for model in (Declaration, OrderLine):
        for field in model._meta.concrete_fields:
            fields[field.name] = fields[field.attname] = field
    return fields


def _label(name: str, field: models.Field | None) -> str:
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    if field is not None and str(field.verbose_name) != field.name.replace("_", " "):
        return str(field.verbose_name)
    return name.replace("_", " ")


def _names(events, fields) -> dict[str, dict]:
    """{"user": {id: name}, ...} for every foreign key named in the events' changes."""
    wanted: dict[type, set] = {}
    for event in events:
        for name, values in (event.pgh_diff or {}).items():
            field = fields.get(name)
            if field is not None and field.is_relation and field.related_model in NAMED:
                wanted.setdefault(field.related_model, set()).update(v for v in values if v)
    names: dict[str, dict] = {kind: {} for kind in NAMED.values()}
    if User in wanted:
        for user in User.objects.filter(pk__in=wanted[User]):
            names["user"][user.pk] = user.get_full_name() or user.email
    if Organisation in wanted:
        names["organisation"] = dict(
            Organisation.objects.filter(pk__in=wanted[Organisation]).values_list("pk", "name")
        )
    if Domain in wanted:
        names["domain"] = dict(
            Domain.objects.filter(pk__in=wanted[Domain]).values_list("pk", "name")
        )
    if Site in wanted:
        names["site"] = dict(Site.objects.filter(pk__in=wanted[Site]).values_list("pk", "name"))
    return names


def format_value(value, field: models.Field | None, names: dict[str, dict]) -> str:
    """One stored value of `field` as a person reads it."""
    if value is None or value == "":
        return MISSING
    if field is None:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.related_model in NAMED:
        return names[NAMED[field.related_model]].get(value, f"#{value}")
    if isinstance(field, models.DecimalField):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        whole = amount == amount.to_integral_value()
        return f"{formatting.number(amount, 0 if whole else 2)}{formatting.NBSP}€"
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        if moment is None:
            return str(value)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        day = parse_date(str(value))
        return formats.date_format(day, "DATE_FORMAT") if day else str(value)
    if isinstance(field, models.BooleanField):
        return _("oui") if value else _("non")
    return str(value)


def readable_changes(events) -> None:
    """Set `event.changes` = [(label, before, after)] on each event of a page."""
    fields = _fields()
    names = _names(events, fields)
    for event in events:
        rows = []
        for name, (before, after) in sorted((event.pgh_diff or {}).items()):
            if name in HIDDEN:
                continue
            field = fields.get(name)
            rows.append(
                (
                    _label(name, field),
                    format_value(before, field, names),
                    format_value(after, field, names),
                )
            )
        event.changes = rows
        data = event.pgh_data or {}
        amount_field = fields["amount"]
        event.amount_display = (
            format_value(data.get("amount"), amount_field, names) if "amount" in data else ""
        )
        event.order_date_display = (
            format_value(data.get("order_date"), fields["order_date"], names)
            if data.get("order_date")
            else ""
        )
