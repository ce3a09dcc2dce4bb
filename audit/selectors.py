"""Reading the audit log: the filtered journal and readable before → after rows."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditEvent

# What each recorded action means; an action missing here is shown by its code.
ACTION_LABELS = {
    "admin.add": gettext_lazy("Administration : ajout"),
    "admin.change": gettext_lazy("Administration : modification"),
    "admin.delete": gettext_lazy("Administration : suppression"),
    "accounts.large_account_created": gettext_lazy("Grand compte créé"),
    "accounts.federator_created": gettext_lazy("Fédérateur créé"),
    "editions.edition_created": gettext_lazy("Édition créée"),
    "editions.edition_changed": gettext_lazy("Édition modifiée"),
    "editions.convention_created": gettext_lazy("Convention créée"),
    "editions.convention_changed": gettext_lazy("Convention modifiée"),
    "editions.account_added": gettext_lazy("Grand compte ajouté à une édition"),
    "editions.account_removed": gettext_lazy("Grand compte retiré d'une édition"),
    "editions.request_accepted": gettext_lazy("Demande d'adhésion à une édition acceptée"),
    "editions.request_refused": gettext_lazy("Demande d'adhésion à une édition refusée"),
    "editions.accounts_emailed": gettext_lazy("Message aux grands comptes d'une édition"),
    "accounts.invitation_sent": gettext_lazy("Invitation envoyée"),
    "accounts.invitation_resent": gettext_lazy("Invitation renvoyée"),
    "accounts.invitation_revoked": gettext_lazy("Invitation révoquée"),
    "accounts.role_changed": gettext_lazy("Rôle modifié"),
    "accounts.member_removed": gettext_lazy("Membre retiré"),
    "accounts.public_naming_changed": gettext_lazy("Mention dans le rapport public modifiée"),
    "directory.profile_published": gettext_lazy("Profil de PME publié"),
    "directory.profile_rejected": gettext_lazy("Profil de PME refusé"),
    "procurement.campaign_state_changed": gettext_lazy("Campagne : changement d'état"),
    "procurement.declaration_reopened": gettext_lazy("Déclaration rouverte"),
    "reports.version_published": gettext_lazy("Rapport publié"),
    "reports.version_unpublished": gettext_lazy("Rapport dépublié"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def action_choices() -> list[tuple[str, str]]:
    """Every known action and every action already recorded (labels sorted)."""
    codes = set(ACTION_LABELS) | set(
        AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    )
    return sorted(((code, action_label(code)) for code in codes), key=lambda c: c[1].lower())


def events(
    *,
    actor: str = "",
    action: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    organisation_ids: QuerySet | list[int] | None = None,
) -> QuerySet[AuditEvent]:
    """The journal, newest first. ``actor`` matches the author's e-mail (part of it)."""
    found = AuditEvent.objects.all()
    if actor:
        found = found.filter(actor_label__icontains=actor.strip())
    if action:
        found = found.filter(action=action)
    if since:
        found = found.filter(at__date__gte=since)
    if until:
        found = found.filter(at__date__lte=until)
    if organisation_ids is not None:
        found = found.filter(organisation_id__in=organisation_ids)
    return found.order_by("-at", "-pk")


@dataclass(frozen=True)
class Change:
    field: str
    before: object
    after: object


def _field(target_type: str, name: str):
    try:
        return apps.get_model(target_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def _value(value, field=None) -> str:
    """A stored value as people read it: a choice by its label, a date in French (Paris time)."""
    if value is None or value == "":
        return "—"
    if value is True:
        return _("oui")
    if value is False:
        return _("non")
    if field is not None and getattr(field, "choices", None):
        labels = {str(key): label for key, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        return _date_value(value)
    return str(value)


def _date_value(value: str) -> str:
    """An ISO date or date-time string in French (Paris time); any other string as it is."""
    try:
        moment = parse_datetime(value) if len(value) > 10 else None
        day = parse_date(value) if len(value) == 10 else None
    except ValueError:
        return value
    if moment is not None:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    if day is not None:
        return formats.date_format(day, "DATE_FORMAT")
    return value


def changes_of(event: AuditEvent) -> list[Change]:
    """The event's changes as readable rows: field label, before, after."""
    rows = []
    for name, pair in (event.changes or {}).items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        field = _field(event.target_type, name)
        label = str(field.verbose_name) if field is not None else name
        rows.append(Change(label, _value(before, field), _value(after, field)))
    return rows


def target_kind(event: AuditEvent) -> str:
    try:
        return str(apps.get_model(event.target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return event.target_type
