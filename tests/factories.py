"""factory-boy factories shared by every test module. Add traits here rather than fixtures files."""

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from stdnum import luhn

from accounts.models import Membership, Organisation, Role, User
from challenges.models import Answer, Challenge
from directory.models import Departement, Domain, SMEProfile
from editions.models import Convention, Edition, EditionAccount
from meetings.models import Event as MeetingEvent
from meetings.models import Participant as MeetingParticipant
from procurement.models import Campaign, Declaration, OrderLine, Site
from sponsorship.models import Category, Mission, Need, Offer

PASSWORD = "correct-horse-battery-staple"
# Staff made by the factory hold an authenticator app with this secret (see totp_code()).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_totp(user, secret: str = TOTP_SECRET) -> None:
    """An authenticator app (TOTP) for ``user``, as if set up on the two-factor page (once)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)


def totp_code(secret: str = TOTP_SECRET, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (``offset`` periods later), computed by allauth."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def valid_siren(n: int) -> str:
    """A valid SIREN built from a sequence number (8 digits + Luhn check digit)."""
    body = f"{(n * 7919 + 100_000) % 100_000_000:08d}"
    return body + luhn.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        staff = factory.Trait(is_programme_staff=True)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Email verified unless `verified=False` is passed, so that the user can sign in."""
        if create:
            obj.save()
            if extracted is not False:
                EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        """Staff hold an authenticator app (TOTP_SECRET) unless `second_factor=False` is passed."""
        if create and obj.is_programme_staff and extracted is not False:
            give_totp(obj)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.LARGE_ACCOUNT
    name = factory.Sequence(lambda n: f"Organisation {n}")
    siren = factory.Sequence(valid_siren)
    joined_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=400))
    # Verified by default (an SME's identity checked by staff); `unverified=True` for a new SME.
    verified_at = factory.LazyFunction(timezone.now)

    class Params:
        sme = factory.Trait(kind=Organisation.Kind.SME)
        federator = factory.Trait(kind=Organisation.Kind.FEDERATOR)
        research = factory.Trait(kind=Organisation.Kind.RESEARCH)
        unverified = factory.Trait(verified_at=None)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER

    class Params:
        admin = factory.Trait(role=Role.ADMIN)

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        """Members of a federator hold an authenticator app (TOTP_SECRET), as their staff pages
        require, unless `second_factor=False` is passed."""
        if create and obj.organisation.is_federator and extracted is not False:
            give_totp(obj.user)


class SMEProfileFactory(factory.django.DjangoModelFactory):
    """A published SME profile of a verified SME (use state=... for others, `unverified=True` for
    an SME whose identity staff have not checked)."""

    class Meta:
        model = SMEProfile
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory, sme=True)
    siren = factory.SelfAttribute("organisation.siren")
    name = factory.SelfAttribute("organisation.name")
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="69"))
    region = factory.LazyAttribute(lambda o: o.departement.region if o.departement else None)
    headcount_band = "11"
    revenue_band = "0_5_2m"
    founded_year = 2015
    description = "Éditeur de logiciels."
    state = SMEProfile.State.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        unverified = factory.Trait(
            organisation=factory.SubFactory(OrganisationFactory, sme=True, unverified=True),
            state=SMEProfile.State.DRAFT,
            published_at=None,
        )
        draft = factory.Trait(state=SMEProfile.State.DRAFT, published_at=None)
        pending = factory.Trait(
            state=SMEProfile.State.PENDING,
            published_at=None,
            submitted_at=factory.LazyFunction(timezone.now),
        )

    @factory.post_generation
    def domains(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.domains.set(extracted)
            obj.domain_names = " ".join(d.name for d in obj.domains.all())
            obj.save(update_fields=["domain_names"])
            # Also the ids the directory filters and counts on (directory.services keeps both).
            from directory.services import sync_denormalised

            sync_denormalised(obj)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ["year"]

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    opens_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 1, 1))
    closes_on = factory.LazyAttribute(lambda o: datetime.date(o.year + 1, 3, 31))
    state = Campaign.State.OPEN
    methodology_version = factory.LazyAttribute(lambda o: f"{o.year}.1")

    class Params:
        closed = factory.Trait(state=Campaign.State.CLOSED)
        preparing = factory.Trait(state=Campaign.State.PREPARING)


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    campaign = factory.SubFactory(CampaignFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    it_purchases_total = Decimal("1000000.00")

    class Params:
        submitted = factory.Trait(
            state=Declaration.State.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    declaration = factory.SubFactory(DeclarationFactory)
    sme_profile = factory.SubFactory(SMEProfileFactory)
    sme_name = factory.SelfAttribute("sme_profile.name")
    amount = Decimal("12000.00")
    order_date = factory.LazyAttribute(lambda o: datetime.date(o.declaration.campaign.year, 6, 15))
    domain = factory.LazyFunction(lambda: Domain.objects.get(slug="cybersecurite"))
    reference = factory.Sequence(lambda n: f"BC-{n:05d}")


def member_of(
    organisation: Organisation, *, admin: bool = False, second_factor=None, **user_fields
) -> User:
    """A new user who belongs to `organisation` (as administrator if `admin`); a federator's
    member holds an authenticator app unless `second_factor=False`."""
    user = UserFactory(**user_fields)
    MembershipFactory(
        user=user,
        organisation=organisation,
        role=Role.ADMIN if admin else Role.MEMBER,
        second_factor=second_factor,
    )
    return user


class EditionFactory(factory.django.DjangoModelFactory):
    """An active territorial edition; give its territory with `territory=["69", ...]`
    (département codes) or `sector=["cybersecurite", ...]` (domain slugs, makes it sectoral)."""

    class Meta:
        model = Edition
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Édition {n}")
    slug = factory.Sequence(lambda n: f"edition-{n}")
    kind = Edition.Kind.TERRITORIAL
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=200))
    status = Edition.Status.ACTIVE

    @factory.post_generation
    def territory(self, create, codes, **kwargs):
        if codes:
            self.departements.set(Departement.objects.filter(code__in=codes))

    @factory.post_generation
    def sector(self, create, slugs, **kwargs):
        if slugs:
            self.kind = Edition.Kind.SECTORAL
            self.save(update_fields=["kind"])
            self.domains.set(Domain.objects.filter(slug__in=slugs))


class ConventionFactory(factory.django.DjangoModelFactory):
    """A convention in force between an edition and a federator."""

    class Meta:
        model = Convention

    edition = factory.SubFactory(EditionFactory)
    federator = factory.SubFactory(OrganisationFactory, federator=True)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=100))
    fee_eur = Decimal("5000.00")


class EditionAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EditionAccount

    edition = factory.SubFactory(EditionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    state = EditionAccount.State.MEMBER


def valid_siret(siren: str, n: int = 1) -> str:
    """A valid SIRET of the SIREN's establishment number n (NIC of 4 digits + Luhn key)."""
    body = f"{siren}{n:04d}"
    return body + luhn.calc_check_digit(body)


class SiteFactory(factory.django.DjangoModelFactory):
    """A large account's buying site (in the Rhône unless `departement` is given)."""

    class Meta:
        model = Site

    organisation = factory.SubFactory(OrganisationFactory)
    siret = factory.LazyAttributeSequence(lambda o, n: valid_siret(o.organisation.siren, n + 1))
    name = factory.Sequence(lambda n: f"Site {n}")
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="69"))


class MeetingEventFactory(factory.django.DjangoModelFactory):
    """A business-meetings event in ten days, taking bookings (`registration`/`draft` traits for
    earlier states). Sessions come from `meetings.services.add_session` (it cuts the slots)."""

    class Meta:
        model = MeetingEvent

    title = factory.Sequence(lambda n: f"Rencontre {n}")
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    place = "CCI de Lyon, 20 rue de la République"
    registration_opens_on = factory.LazyAttribute(lambda o: o.date - datetime.timedelta(days=40))
    registration_closes_on = factory.LazyAttribute(lambda o: o.date - datetime.timedelta(days=15))
    booking_opens_on = factory.LazyAttribute(lambda o: o.date - datetime.timedelta(days=14))
    booking_closes_on = factory.LazyAttribute(lambda o: o.date - datetime.timedelta(days=1))
    state = MeetingEvent.State.BOOKING

    class Params:
        registration = factory.Trait(state=MeetingEvent.State.REGISTRATION)
        draft = factory.Trait(state=MeetingEvent.State.DRAFT)


class MeetingParticipantFactory(factory.django.DjangoModelFactory):
    """A validated SME application (`buyer=True`: a large account's buyer; `pending=True`)."""

    class Meta:
        model = MeetingParticipant

    event = factory.SubFactory(MeetingEventFactory)
    side = MeetingParticipant.Side.SME
    organisation = factory.SubFactory(OrganisationFactory, sme=True)
    siren = factory.SelfAttribute("organisation.siren")
    user = factory.LazyAttribute(lambda o: member_of(o.organisation))
    pitch = "Nous protégeons les PME des rançongiciels."
    state = MeetingParticipant.State.VALIDATED

    class Params:
        buyer = factory.Trait(
            side=MeetingParticipant.Side.BUYER,
            organisation=factory.SubFactory(OrganisationFactory),
            pitch="",
            needs="Un SOC managé pour 40 sites.",
        )
        pending = factory.Trait(state=MeetingParticipant.State.PENDING)


class ChallengeFactory(factory.django.DjangoModelFactory):
    """A published open-innovation challenge of a large account (`state=...` for others); give
    its domains with `domains=[Domain, ...]`."""

    class Meta:
        model = Challenge
        skip_postgeneration_save = True

    buyer = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Défi {n}")
    context = "Nous cherchons une solution de détection des fraudes."
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    confidential_text = "Périmètre : 40 agences."
    state = Challenge.State.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(state=Challenge.State.DRAFT, published_at=None)
        review = factory.Trait(
            state=Challenge.State.REVIEW,
            published_at=None,
            submitted_at=factory.LazyFunction(timezone.now),
        )

    @factory.post_generation
    def domains(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.domains.set(extracted)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    challenge = factory.SubFactory(ChallengeFactory)
    organisation = factory.SubFactory(OrganisationFactory, sme=True)
    siren = factory.SelfAttribute("organisation.siren")
    text = "Notre solution détecte les fraudes en temps réel."


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    sme = factory.SubFactory(OrganisationFactory, sme=True)
    title = factory.Sequence(lambda n: f"Besoin {n}")
    category = Category.SALES
    description = "Structurer notre démarche commerciale auprès des grands comptes."
    estimated_days = 5


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    account = factory.SubFactory(OrganisationFactory)
    category = Category.SALES
    days = 20
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=180))
    description = "Deux responsables grands comptes volontaires."


class MissionFactory(factory.django.DjangoModelFactory):
    """A proposed mission between a need and an offer."""

    class Meta:
        model = Mission

    need = factory.SubFactory(NeedFactory, state=Need.State.MATCHED)
    offer = factory.SubFactory(OfferFactory)
    account = factory.SelfAttribute("offer.account")
    sme = factory.SelfAttribute("need.sme")
    sme_siren = factory.SelfAttribute("need.sme.siren")
    days = 5
