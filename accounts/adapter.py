from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from . import mail


class AccountAdapter(DefaultAccountAdapter):
    """allauth's emails (address verification, password reset) go through the outbox too."""

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        mail.send_later(to=message.to, subject=message.subject, body=message.body)


def needs_second_factor(user) -> bool:
    """Programme staff and anyone reaching the Django admin must hold a second factor."""
    return bool(
        user.is_authenticated
        and (getattr(user, "is_programme_staff", False) or user.is_staff or user.is_superuser)
    )


class MFAAdapter(DefaultMFAAdapter):
    """Staff keep their authenticator app: they may replace it (recovery codes) but not drop it."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and needs_second_factor(
            authenticator.user
        ):
            return False
        return super().can_delete_authenticator(authenticator)
