from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.urls import reverse

from . import mail
from .models import Membership, Organisation


class AccountAdapter(DefaultAccountAdapter):
    """allauth's emails (address verification, password reset) go through the outbox too;
    programme staff land on their home, /pilotage/, after signing in (unless `next` says)."""

    def get_login_redirect_url(self, request):
        if getattr(request.user, "is_programme_staff", False):
            return reverse("accounts:staff_home")
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        mail.send_later(to=message.to, subject=message.subject, body=message.body)


def needs_second_factor(user) -> bool:
    """Programme staff, anyone reaching the Django admin, and the members of a federator (an
    edition-scoped staff role: they see members' confidential figures) must hold a second
    factor."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_programme_staff", False) or user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, organisation__kind=Organisation.Kind.FEDERATOR
    ).exists()


SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


class MFAAdapter(DefaultMFAAdapter):
    """Staff keep a second factor: they may remove an authenticator app or a security key only
    while another one remains."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type in SECOND_FACTORS and needs_second_factor(authenticator.user):
            others = Authenticator.objects.filter(
                user_id=authenticator.user_id, type__in=SECOND_FACTORS
            ).exclude(pk=authenticator.pk)
            if not others.exists():
                return False
        return super().can_delete_authenticator(authenticator)
