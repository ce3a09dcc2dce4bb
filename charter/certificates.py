"""The PDF signature certificate: rendered once by the worker, then emailed as a download link
(scoped to the organisation: only its members and staff may fetch it)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mail import send_later

from .models import Signature

CERTIFICATE_DIR = "charter/certificates"


def certificate_path(signature: Signature) -> Path:
    return Path(settings.MEDIA_ROOT) / (signature.certificate or "")


def certificate_pdf(signature: Signature) -> bytes:
    from weasyprint import HTML

    from . import markup

    html = render_to_string(
        "charter/pdf/certificate.html",
        {
            "signature": signature,
            "version": signature.version,
            "commitments": signature.version.commitments.all(),
            "body": markup.render(signature.version.body),
        },
    )
    fonts = Path(settings.BASE_DIR) / "static" / "fonts"
    return HTML(string=html, base_url=str(fonts) + "/").write_pdf()


def issue_certificate(*, signature_id: int) -> bool:
    """Render the certificate and email its link to the signer and the organisation's
    administrators. Done once: a second run (a redelivered task) finds it issued."""
    from .services import admin_emails

    signature = (
        Signature.objects.select_related("organisation", "version", "signed_by")
        .filter(pk=signature_id)
        .first()
    )
    if signature is None or signature.certificate:
        return False
    pdf = certificate_pdf(signature)
    relative = f"{CERTIFICATE_DIR}/{signature.organisation_id}/signature-{signature.pk}.pdf"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pdf)
    with transaction.atomic():
        updated = Signature.objects.filter(pk=signature.pk, certificate="").update(
            certificate=relative
        )
        if not updated:
            return False
        recipients = set(admin_emails(signature.organisation))
        if signature.signed_by is not None:
            recipients.add(signature.signed_by.email)
        url = settings.SITE_URL + reverse("charter:certificate", args=[signature.pk])
        send_later(
            to=recipients,
            subject=_("Votre certificat de signature de la charte"),
            body=_(
                "Bonjour,\n\n%(name)s (%(role)s) a signé au nom de %(org)s la %(charter)s, "
                "version %(number)s, le %(date)s.\n\nLe certificat de signature (PDF) est à "
                "télécharger ici, après connexion :\n%(url)s\n"
            )
            % {
                "name": signature.signer_name,
                "role": signature.signer_role,
                "org": signature.organisation.name,
                "charter": signature.version.get_kind_display().lower(),
                "number": signature.version.number,
                "date": timezone.localtime(signature.signed_at).strftime("%d/%m/%Y %H:%M"),
                "url": url,
            },
        )
    return True
