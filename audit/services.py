from django.db import models

from .models import AuditEvent


def _plain(value):
    """JSON-friendly rendering of a field value (dates, decimals, model instances)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    organisation_id: int | None = None,
    changes: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Record one action. ``changes`` maps a field name to ``(before, after)``.

    Call it inside the transaction that makes the change, so that both commit or neither."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(getattr(actor, "email", "") or "")[:254],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        organisation_id=organisation_id,
        changes={
            field: [_plain(before), _plain(after)]
            for field, (before, after) in (changes or {}).items()
        },
        reason=reason,
    )
