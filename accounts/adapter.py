from allauth.account.adapter import DefaultAccountAdapter

from . import mail


class AccountAdapter(DefaultAccountAdapter):
    """allauth's emails (address verification, password reset) go through the outbox too."""

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        mail.send_later(to=message.to, subject=message.subject, body=message.body)
