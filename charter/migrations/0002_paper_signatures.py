"""The "charte signée le" dates that staff typed before the online charter become signatures of a
version 1 standing for the paper charter, so that "signataire depuis" keeps its date and those
signatories are asked to sign the first version published online (« à renouveler »)."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.utils import timezone

PAPER_TITLE = "Charte Pacte PME (signée sur papier)"


def forwards(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    CharterVersion = apps.get_model("charter", "CharterVersion")
    Commitment = apps.get_model("charter", "Commitment")
    Signature = apps.get_model("charter", "Signature")
    signed = Organisation.objects.filter(charter_signed_on__isnull=False, kind="large_account")
    if not signed.exists():
        return
    version, created = CharterVersion.objects.get_or_create(
        kind="members",
        number=1,
        defaults={
            "title": PAPER_TITLE,
            "body": "Version signée sur papier avant la signature en ligne.",
            "published_at": timezone.now(),
        },
    )
    if created:
        Commitment.objects.create(
            version=version, position=1, text="Engagements de la charte signée sur papier."
        )
    tz = ZoneInfo(settings.TIME_ZONE)
    for organisation in signed:
        Signature.objects.get_or_create(
            organisation=organisation,
            version=version,
            defaults={
                "signer_name": "Signature sur papier",
                "signer_role": "—",
                "signed_at": datetime.datetime.combine(
                    organisation.charter_signed_on, datetime.time(12), tzinfo=tz
                ),
                "commitment_ids": list(version.commitments.values_list("pk", flat=True)),
            },
        )


def backwards(apps, schema_editor):
    CharterVersion = apps.get_model("charter", "CharterVersion")
    Signature = apps.get_model("charter", "Signature")
    Signature.objects.filter(version__title=PAPER_TITLE, signed_by__isnull=True).delete()
    CharterVersion.objects.filter(title=PAPER_TITLE, signatures__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("charter", "0001_charter")]

    operations = [migrations.RunPython(forwards, backwards)]
