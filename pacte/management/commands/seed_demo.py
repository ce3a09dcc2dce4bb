"""Load the demo data of every app (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from challenges import demo as challenges_demo
from charter import demo as charter_demo
from directory import demo as directory_demo
from editions import demo as editions_demo
from meetings import demo as meetings_demo
from procurement import demo as procurement_demo
from reports import demo as reports_demo
from sponsorship import demo as sponsorship_demo


class Command(BaseCommand):
    help = (
        "Create demo users, organisations, SME profiles, campaigns and declarations (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only-once",
            action="store_true",
            help="Do nothing but print the logins if the demo was loaded before.",
        )

    def handle(self, *args, only_once=False, **options):
        from django.contrib.auth import get_user_model

        # The demo's programme staff account is created first: its presence means "loaded before".
        already = get_user_model().objects.filter(email=accounts_demo.STAFF_EMAIL).exists()
        if not (only_once and already):
            with transaction.atomic():
                for seed in self.seeders():
                    seed()
        else:
            # A demo loaded before staff needed a second factor gets the demo's one now.
            accounts_demo.give_staff_second_factor(
                get_user_model().objects.get(email=accounts_demo.STAFF_EMAIL)
            )
        self.print_logins()

    def seeders(self):
        """Each app's demo seeder, from the bottom app up."""
        return [
            accounts_demo.seed,
            directory_demo.seed,
            editions_demo.seed,
            challenges_demo.seed,
            sponsorship_demo.seed,
            procurement_demo.seed,
            self.seed_meetings,
            charter_demo.seed,
            reports_demo.seed,
        ]

    def seed_meetings(self):
        """The meetings' past event is two years back; the orders the same accounts declared
        with those SMEs the year after are read here (meetings does not import procurement)."""
        from django.utils import timezone

        from procurement.models import Declaration, OrderLine

        year = timezone.localdate().year - 1
        bought = set(
            OrderLine.objects.filter(
                declaration__campaign__year=year,
                declaration__state=Declaration.State.SUBMITTED,
            ).values_list("declaration__organisation_id", "sme_profile_id")
        )
        meetings_demo.seed(bought=bought)

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Demo logins (password for all: {accounts_demo.DEMO_PASSWORD})")
        )
        rows = [
            *accounts_demo.logins(),
            (challenges_demo.RESEARCH_EMAIL, f"administrateur, {challenges_demo.RESEARCH_NAME}"),
        ]
        for email, what in rows:
            self.stdout.write(f"  {email:<36} {what}")
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"{accounts_demo.STAFF_EMAIL} also needs a code after the password "
                "(two-factor authentication is required of staff):"
            )
        )
        self.stdout.write(
            f"  authenticator app secret: {accounts_demo.STAFF_TOTP_SECRET}"
            " (add it to any TOTP app: FreeOTP, Aegis, Google Authenticator...)"
        )
        self.stdout.write(
            f"  or the current code: make demo-code"
            f"   (right now: {accounts_demo.current_staff_code()})"
        )
        codes = accounts_demo.staff_recovery_codes()
        if codes:
            self.stdout.write(f"  or a recovery code (each works once): {' '.join(codes)}")
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                "Federators (edition-scoped staff) need a code too; their authenticator apps:"
            )
        )
        for _name, _siren, _sector, email, secret in accounts_demo.FEDERATORS:
            self.stdout.write(
                f"  {email:<36} secret {secret}   (right now: {accounts_demo.current_code(secret)})"
            )
        self.stdout.write("  current codes: make demo-code")
        self.stdout.write("")
