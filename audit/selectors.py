"""Reading the audit log: the filtered journal and readable before → after rows."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditEvent

# What each recorded action means; an action missing here is shown by its code.
ACTION_LABELS = {
    "admin.add": gettext_lazy("Administration : ajout"),
    "admin.change": gettext_lazy("Administration : modification"),
    "admin.delete": gettext_lazy("Administration : suppression"),
    "accounts.large_account_created": gettext_lazy("Grand compte créé"),
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


def _field_label(target_type: str, name: str) -> str:
    try:
        model = apps.get_model(target_type)
        return str(model._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("oui")
    if value is False:
        return _("non")
    return str(value)


def changes_of(event: AuditEvent) -> list[Change]:
    """The event's changes as readable rows: field label, before, after."""
    rows = []
    for name, pair in (event.changes or {}).items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        rows.append(Change(_field_label(event.target_type, name), _value(before), _value(after)))
    return rows


def target_kind(event: AuditEvent) -> str:
    try:
        return str(apps.get_model(event.target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return event.target_type
