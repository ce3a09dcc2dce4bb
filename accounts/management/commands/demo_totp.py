"""Print the code the demo staff account's authenticator app shows now (demo only)."""

import time

from django.core.management.base import BaseCommand

from accounts import demo


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of the demo staff account (staff@example.org); "
        "the federators' codes follow on stderr."
    )

    def handle(self, *args, **options):
        remaining = 30 - int(time.time()) % 30
        self.stdout.write(demo.current_staff_code())
        self.stderr.write(
            f"{demo.STAFF_EMAIL}: valid for {remaining} more seconds "
            f"(secret {demo.STAFF_TOTP_SECRET})"
        )
        for _name, _siren, _sector, email, secret in demo.FEDERATORS:
            self.stderr.write(f"{email}: {demo.current_code(secret)} (secret {secret})")
