"""Demo people and organisations for `manage.py seed_demo` (idempotent)."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import Membership, Organisation, Role

DEMO_PASSWORD = "demo-pacte-2026"  # noqa: S105  (printed by seed_demo, for the demo only)
STAFF_EMAIL = "staff@example.org"
# Staff need a second factor: the demo staff account's authenticator app has this known secret
# (add it to any authenticator app, or run `manage.py demo_totp` for the current code), and
# recovery codes derived from a known seed. For the demo only, like the password.
STAFF_TOTP_SECRET = "PACTEPMEDEMOSTAFFTOTPSECRETAB234"  # noqa: S105
STAFF_RECOVERY_SEED = "pacte-pme-demo-recovery-codes"

LARGE_ACCOUNTS = [
    # name, SIREN, sector, public naming, admin, member
    (
        "Banque Hexagone",
        "552120222",
        "Banque et assurance",
        True,
        "buyer@example.org",
        "buyer2@example.org",
    ),
    (
        "Énergies de France",
        "552081317",
        "Énergie",
        False,
        "achats@energies.example.org",
        "analyste@energies.example.org",
    ),
]
# Demo people's names, so that member lists read like real ones.
NAMES = {
    "buyer@example.org": ("Bérénice", "Achard"),
    "buyer2@example.org": ("Hugo", "Lemaire"),
    "achats@energies.example.org": ("Claire", "Fontaine"),
    "analyste@energies.example.org": ("Mehdi", "Benali"),
    "sme@example.org": ("Sophie", "Marchand"),
    "dirigeante@nuagique.example.org": ("Inès", "Garnier"),
    "federateur@cci-lyon.example.org": ("Laurent", "Vidal"),
    "federateur@numerique.example.org": ("Amélie", "Rousseau"),
}
# The programme's other members: they declared the previous (closed) year, so that its report
# shows real figures. Their declarants sign in with the demo password too, but are not printed.
# name, SIREN (first 8 digits; the Luhn key is computed), sector, public naming
MEMBERS = [
    ("Assurances du Littoral", "55210001", "Banque et assurance", True),
    ("Compagnie Ferroviaire de l'Est", "55210002", "Transport", True),
    ("Hôpitaux Universitaires du Nord", "55210003", "Santé publique", False),
    ("Distribution Alimentaire Centrale", "55210004", "Distribution", True),
    ("Télécom Horizon", "55210005", "Télécommunications", False),
    ("Industries Mécaniques de Lorraine", "55210006", "Industrie", True),
    ("Aéroports de l'Ouest", "55210007", "Transport", False),
    ("Mutuelle Avenir Santé", "55210008", "Banque et assurance", True),
    ("Eaux et Territoires", "55210009", "Services aux collectivités", False),
    ("Groupe Hôtelier Méditerranée", "55210010", "Tourisme", True),
    ("Constructions Alpines", "55210011", "BTP", False),
    ("Université Numérique de Bourgogne", "55210012", "Enseignement supérieur", True),
]
MEMBER_DECLARANTS = [
    ("Nathalie", "Roux"),
    ("Julien", "Perrin"),
    ("Aïcha", "Diallo"),
    ("Thomas", "Lefèvre"),
    ("Élodie", "Masson"),
    ("Karim", "Haddad"),
    ("Lucie", "Bernard"),
    ("Antoine", "Faure"),
    ("Mathilde", "Girard"),
    ("Yann", "Le Gall"),
    ("Sarah", "Cohen"),
    ("Pierre", "Morel"),
]
# Federators run editions of the programme (editions.demo gives them their editions). They see
# members' confidential figures, so they hold a second factor too: an authenticator app with a
# known secret, printed by seed_demo (demo only, like the password).
# name, SIREN (first 8 digits), sector, login, TOTP secret
FEDERATORS = [
    (
        "CCI Lyon Métropole",
        "55210013",
        "Chambre de commerce et d'industrie",
        "federateur@cci-lyon.example.org",
        "PACTEPMEDEMOCCILYONTOTPSECRET234",
    ),
    (
        "Fédération du Numérique",
        "55210014",
        "Fédération professionnelle",
        "federateur@numerique.example.org",
        "PACTEPMEDEMONUMERIQUETOTPSECRT23",
    ),
]
SMES = [
    ("Cyberbase", "732829320", "sme@example.org"),
    ("Nuagique", "443061841", "dirigeante@nuagique.example.org"),
]


def siren_with_key(first_digits: str) -> str:
    """A valid SIREN from its first 8 digits (Luhn key)."""
    from stdnum import luhn

    return first_digits + luhn.calc_check_digit(first_digits)


def declarant_email(name: str) -> str:
    """The demo declarant of a programme member: an ASCII host name made from its name."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = [
        w for w in "".join(c if c.isalnum() else " " for c in ascii_name).split() if len(w) > 2
    ]
    return f"achats@{'-'.join(words[:2])}.example.org"


def demo_user(email: str, *, first_name: str = "", last_name: str = "", staff: bool = False):
    """A user who can sign in at once with the demo password (email already verified)."""
    User = get_user_model()
    first_name, last_name = NAMES.get(email, (first_name, last_name))
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
    if not user.first_name and not user.last_name:
        user.first_name, user.last_name = first_name, last_name
    if staff:
        user.is_programme_staff = True
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def give_staff_second_factor(user) -> None:
    """The demo staff account's authenticator app and recovery codes, from known secrets."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    give_authenticator_app(user, STAFF_TOTP_SECRET)
    Authenticator.objects.get_or_create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        defaults={"data": {"seed": encrypt(STAFF_RECOVERY_SEED), "used_mask": 0}},
    )


def give_authenticator_app(user, secret: str) -> None:
    """An authenticator app (TOTP) with a known secret, for a demo account that needs one."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": encrypt(secret)}}
    )


def current_code(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app with this secret shows now."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // app_settings.TOTP_PERIOD + offset
    return format_hotp_value(hotp_value(secret, counter))


def current_staff_code(*, offset: int = 0) -> str:
    """The code the demo staff account's authenticator app shows now."""
    return current_code(STAFF_TOTP_SECRET, offset=offset)


def second_factor_secrets() -> dict[str, str]:
    """Demo logins that hold an authenticator app, with its secret (staff first)."""
    return {
        STAFF_EMAIL: STAFF_TOTP_SECRET,
        **{email: secret for _n, _s, _sector, email, secret in FEDERATORS},
    }


def staff_recovery_codes() -> list[str]:
    """The demo staff account's unused recovery codes (empty before the demo is loaded)."""
    from allauth.mfa.models import Authenticator

    found = Authenticator.objects.filter(
        user__email=STAFF_EMAIL, type=Authenticator.Type.RECOVERY_CODES
    ).first()
    return found.wrap().get_unused_codes() if found else []


def join(user, organisation: Organisation, role: str) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    return membership


def logins() -> list[tuple[str, str]]:
    """(login, who they are) pairs that seed_demo prints."""
    rows = [(STAFF_EMAIL, "équipe du programme")]
    for name, _siren, _sector, _naming, admin_email, member_email in LARGE_ACCOUNTS:
        rows += [(admin_email, f"administrateur, {name}"), (member_email, f"membre, {name}")]
    rows += [(admin_email, f"administrateur, PME {name}") for name, _siren, admin_email in SMES]
    rows += [(email, f"fédérateur, {name}") for name, _siren, _sector, email, _secret in FEDERATORS]
    return rows


def seed() -> None:
    """Create the demo people and their organisations."""
    give_staff_second_factor(
        demo_user(STAFF_EMAIL, first_name="Camille", last_name="Programme", staff=True)
    )
    today = timezone.localdate()
    for name, siren, sector, naming, admin_email, member_email in LARGE_ACCOUNTS:
        org, _ = Organisation.objects.get_or_create(
            siren=siren,
            defaults={
                "kind": Organisation.Kind.LARGE_ACCOUNT,
                "name": name,
                "sector": sector,
                "public_naming": naming,
                "joined_on": today.replace(year=today.year - 2, month=1, day=15),
                "charter_signed_on": today.replace(year=today.year - 2, month=2, day=1),
            },
        )
        join(demo_user(admin_email), org, Role.ADMIN)
        join(demo_user(member_email), org, Role.MEMBER)
    for (name, first_digits, sector, naming), (first, last) in zip(
        MEMBERS, MEMBER_DECLARANTS, strict=True
    ):
        org, _ = Organisation.objects.get_or_create(
            siren=siren_with_key(first_digits),
            defaults={
                "kind": Organisation.Kind.LARGE_ACCOUNT,
                "name": name,
                "sector": sector,
                "public_naming": naming,
                "joined_on": today.replace(year=today.year - 2, month=1, day=15),
                "charter_signed_on": today.replace(year=today.year - 2, month=2, day=1),
            },
        )
        join(demo_user(declarant_email(name), first_name=first, last_name=last), org, Role.ADMIN)
    for name, siren, admin_email in SMES:
        # The demo SMEs' identity is verified, so that they see the orders declared in their name.
        org, _ = Organisation.objects.get_or_create(
            siren=siren,
            defaults={"kind": Organisation.Kind.SME, "name": name, "verified_at": timezone.now()},
        )
        join(demo_user(admin_email), org, Role.ADMIN)
    for name, first_digits, sector, email, secret in FEDERATORS:
        org, _ = Organisation.objects.get_or_create(
            siren=siren_with_key(first_digits),
            defaults={"kind": Organisation.Kind.FEDERATOR, "name": name, "sector": sector},
        )
        user = demo_user(email)
        give_authenticator_app(user, secret)
        join(user, org, Role.ADMIN)
