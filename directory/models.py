from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, validate_siren

from .storage import private_storage

# Accent folding done inside PostgreSQL with translate(): the embedded server has no unaccent.
# The query text is folded the same way before it becomes a SearchQuery (directory.search).
ACCENTED = "àâäáãåéèêëíìîïóòôöõúùûüýÿçñœæ"
PLAIN = "aaaaaaeeeeiiiiooooouuuuyycnoa"


class Translate(models.Func):
    function = "TRANSLATE"
    output_field = models.TextField()


def folded(expression):
    """lower() then strip accents, usable in generated columns (immutable)."""
    return Translate(Lower(expression), Value(ACCENTED), Value(PLAIN))


class Region(models.Model):
    """One of the 18 French regions (INSEE code, e.g. "11" Île-de-France, "75" Nouvelle-Aquitaine)."""

    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    overseas = models.BooleanField(_("outre-mer"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("région")
        verbose_name_plural = _("régions")

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    """One of the 101 départements (code "01".."95", "2A", "2B", "971".."976")."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")
        verbose_name_plural = _("départements")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Domain(models.Model):
    """A domain of the programme's software & services taxonomy (editable by staff)."""

    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=100, unique=True)
    name_en = models.CharField(_("nom en anglais"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("en vigueur"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("domaine")
        verbose_name_plural = _("domaines")

    def __str__(self) -> str:
        return self.name


class Label(models.Model):
    """An innovation label (JEI, French Tech, Bpifrance Excellence, CIR/CII, i-Nov…)."""

    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=100, unique=True)
    name_en = models.CharField(_("nom en anglais"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("label d'innovation")
        verbose_name_plural = _("labels d'innovation")

    def __str__(self) -> str:
        return self.name


class NafCode(models.Model):
    """An activity code, with the nomenclature it belongs to (NAF rév. 2 now, NAF 2025 from 2027)."""

    class Nomenclature(models.TextChoices):
        NAF_REV2 = "naf_rev2", _("NAF rév. 2 (2008)")
        NAF_2025 = "naf_2025", _("NAF 2025")

    code = models.CharField(_("code"), max_length=10)
    label = models.CharField(_("libellé"), max_length=300)
    nomenclature = models.CharField(
        _("nomenclature"),
        max_length=10,
        choices=Nomenclature.choices,
        default=Nomenclature.NAF_REV2,
    )

    class Meta:
        ordering = ["nomenclature", "code"]
        verbose_name = _("code NAF")
        verbose_name_plural = _("codes NAF")
        constraints = [
            models.UniqueConstraint(
                fields=["nomenclature", "code"], name="nafcode_unique_per_nomenclature"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"


class HeadcountBand(models.TextChoices):
    """INSEE headcount bands ("tranches d'effectif salarié") up to the SME ceiling."""

    NONE = "00", _("0 salarié")
    B1_2 = "01", _("1 ou 2 salariés")
    B3_5 = "02", _("3 à 5 salariés")
    B6_9 = "03", _("6 à 9 salariés")
    B10_19 = "11", _("10 à 19 salariés")
    B20_49 = "12", _("20 à 49 salariés")
    B50_99 = "21", _("50 à 99 salariés")
    B100_199 = "22", _("100 à 199 salariés")
    B200_249 = "31", _("200 à 249 salariés")


class RevenueBand(models.TextChoices):
    """Revenue bands used by INSEE's size categories."""

    LT_05 = "lt_0_5m", _("Moins de 0,5 M€")
    B05_2 = "0_5_2m", _("0,5 à 2 M€")
    B2_10 = "2_10m", _("2 à 10 M€")
    B10_50 = "10_50m", _("10 à 50 M€")


class LegalForm(models.TextChoices):
    SAS = "SAS", "SAS"
    SASU = "SASU", "SASU"
    SARL = "SARL", "SARL"
    EURL = "EURL", "EURL"
    SA = "SA", "SA"
    SCOP = "SCOP", "SCOP"
    SCIC = "SCIC", "SCIC"
    EI = "EI", _("Entreprise individuelle")
    OTHER = "other", _("Autre")


FACET_COLUMNS = [
    "region",
    "departement",
    "headcount_band",
    "revenue_band",
    "founded_year",
    "domain_ids",
    "label_ids",
]


class SMEProfileQuerySet(models.QuerySet):
    def published(self) -> "SMEProfileQuerySet":
        return self.filter(state=SMEProfile.State.PUBLISHED)

    def visible_to(self, user) -> "SMEProfileQuerySet":
        """Published profiles for any signed-in user; others only to their members and staff."""
        if not user.is_authenticated:
            return self.none()
        if user.is_programme_staff:
            return self.all()
        return self.filter(
            Q(state=SMEProfile.State.PUBLISHED) | Q(organisation__memberships__user=user)
        ).distinct()


class SMEProfile(models.Model):
    """The directory entry of an SME organisation."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PENDING = "pending", _("En attente de validation")
        PUBLISHED = "published", _("Publié")
        REJECTED = "rejected", _("Refusé")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="sme_profile"
    )
    siren = models.CharField(_("SIREN"), max_length=9, unique=True, validators=[validate_siren])
    name = models.CharField(_("raison sociale"), max_length=200)
    legal_form = models.CharField(
        _("forme juridique"), max_length=10, choices=LegalForm.choices, blank=True
    )
    website = models.URLField(_("site web"), blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("année de création"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("département"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("région"),
        help_text=_("Déduite du département."),
    )
    domains = models.ManyToManyField(
        Domain, blank=True, related_name="profiles", verbose_name=_("domaines")
    )
    naf = models.ForeignKey(
        NafCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("code NAF"),
    )
    headcount_band = models.CharField(
        _("effectif"), max_length=2, choices=HeadcountBand.choices, blank=True
    )
    revenue_band = models.CharField(
        _("chiffre d'affaires"), max_length=10, choices=RevenueBand.choices, blank=True
    )
    labels = models.ManyToManyField(
        Label, blank=True, related_name="profiles", verbose_name=_("labels d'innovation")
    )
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(2000)]
    )
    keywords = models.CharField(
        _("mots-clés de l'offre"),
        max_length=500,
        blank=True,
        help_text=_("Séparés par des virgules."),
    )
    contact_email = models.EmailField(
        _("e-mail de contact"), blank=True, help_text=_("Visible des membres seulement.")
    )
    # Names of the profile's domains, kept by the services so that the search vector can use them.
    domain_names = models.TextField(blank=True, default="", editable=False)
    # Ids of the profile's domains and labels, kept by the services next to the many-to-many
    # tables: the directory filters (&&) and counts facets (unnest) on them without joins.
    domain_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, editable=False)
    label_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, editable=False)
    # The values shown in the directory at the last publication, to show moderators what changed.
    published_snapshot = models.JSONField(null=True, blank=True, editable=False)

    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.DRAFT)
    rejection_reason = models.TextField(_("motif du refus"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    search_vector = models.GeneratedField(
        expression=(
            SearchVector(folded(Coalesce("name", Value(""))), weight="A", config="french")
            + SearchVector(folded(Coalesce("keywords", Value(""))), weight="B", config="french")
            + SearchVector(folded(Coalesce("domain_names", Value(""))), weight="B", config="french")
            + SearchVector(folded(Coalesce("description", Value(""))), weight="C", config="french")
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = SMEProfileQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("profil de PME")
        verbose_name_plural = _("profils de PME")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "pending", "published", "rejected"]),
                name="smeprofile_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(siren__regex=r"^[0-9]{9}$"), name="smeprofile_siren_9_digits"
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="smeprofile_search_gin"),
            GinIndex(
                OpClass(folded("name"), name="gin_trgm_ops"), name="smeprofile_name_folded_trgm"
            ),
            GinIndex(fields=["domain_ids"], name="smeprofile_domain_ids_gin"),
            GinIndex(fields=["label_ids"], name="smeprofile_label_ids_gin"),
            models.Index(
                fields=["siren"],
                name="smeprofile_siren_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["state", "region"], name="smeprofile_state_region"),
            models.Index(fields=["state", "departement"], name="smeprofile_state_dept"),
            models.Index(fields=["state", "headcount_band"], name="smeprofile_state_headcount"),
            models.Index(fields=["state", "revenue_band"], name="smeprofile_state_revenue"),
            models.Index(fields=["state", "founded_year"], name="smeprofile_state_founded"),
            # The directory reads these two indexes only (no visit to the wide rows) to count
            # facets and to find which rows make a page, when no text is typed.
            models.Index(
                fields=["state", "name", "id"],
                include=FACET_COLUMNS,
                name="smeprofile_state_name_cover",
            ),
            models.Index(
                fields=["state", "-updated_at", "id"],
                include=FACET_COLUMNS,
                name="smeprofile_state_upd_cover",
            ),
            models.Index(fields=["state", "submitted_at"], name="smeprofile_state_submitted"),
        ]

    def __str__(self) -> str:
        return self.name


class SearchDocument(models.Model):
    """A narrow copy of each published profile for text searches: the search vector, what orders
    a page and the facet columns, written by a trigger on SMEProfile (migration 0005), so that a
    search matching half the directory reads 44 MB of narrow rows instead of the wide profiles.
    Never written by Python."""

    profile = models.OneToOneField(
        SMEProfile,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    search_vector = SearchVectorField()
    name = models.CharField(max_length=200)
    updated_at = models.DateTimeField()
    # Copies of SMEProfile's nullable foreign keys: NULL as there.
    region_id = models.CharField(max_length=3, null=True)  # noqa: DJ001
    departement_id = models.CharField(max_length=3, null=True)  # noqa: DJ001
    headcount_band = models.CharField(max_length=2)
    revenue_band = models.CharField(max_length=10)
    founded_year = models.PositiveSmallIntegerField(null=True)
    domain_ids = ArrayField(models.BigIntegerField(), default=list)
    label_ids = ArrayField(models.BigIntegerField(), default=list)

    class Meta:
        indexes = [GinIndex(fields=["search_vector"], name="searchdoc_vector_gin")]

    def __str__(self) -> str:
        return self.name


class JoinRequest(models.Model):
    """A person asking to join an SME already registered (same SIREN); its administrators decide."""

    class State(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Acceptée")
        REFUSED = "refused", _("Refusée")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(_("message"), blank=True, max_length=1000)
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("demande d'adhésion")
        verbose_name_plural = _("demandes d'adhésion")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "accepted", "refused"]),
                name="joinrequest_state_valid",
            ),
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(state="pending"),
                name="joinrequest_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"


class ProfileChange(models.Model):
    """History of a profile: who changed what and when, including moderation decisions."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Création")
        EDITED = "edited", _("Modification")
        SUBMITTED = "submitted", _("Soumis à validation")
        PUBLISHED = "published", _("Publié")
        REJECTED = "rejected", _("Refusé")
        VERIFIED = "verified", _("Identité vérifiée")
        DOCUMENT = "document", _("Justificatif déposé")
        VOUCHED = "vouched", _("Garantie d'un grand compte")
        TRANSFERRED = "transferred", _("Administration transférée")

    profile = models.ForeignKey(SMEProfile, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    # {field label: [before, after]} for edits; {"reason": ...} for a rejection.
    changes = models.JSONField(_("changements"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("historique du profil")
        verbose_name_plural = _("historique des profils")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "created",
                        "edited",
                        "submitted",
                        "published",
                        "rejected",
                        "verified",
                        "document",
                        "vouched",
                        "transferred",
                    ]
                ),
                name="profilechange_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["profile", "-at"], name="profilechange_profile_at")]

    def __str__(self) -> str:
        return f"{self.profile} · {self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class VerificationDocument(models.Model):
    """An official document an SME uploads to prove it is the company (Kbis extract, INSEE
    situation notice): PDF, kept in private storage, read by staff only, its file deleted once the
    verification is decided (the row stays, so that the history says what was looked at)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="verification_documents"
    )
    file = models.FileField(
        storage=private_storage, upload_to="verification/%Y/%m/", max_length=300, blank=True
    )
    original_name = models.CharField(_("fichier"), max_length=255)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("justificatif d'identité")
        verbose_name_plural = _("justificatifs d'identité")

    def __str__(self) -> str:
        return self.original_name

    @property
    def available(self) -> bool:
        return self.deleted_at is None and bool(self.file)


class Vouch(models.Model):
    """A large account that declared orders with an SME's SIREN says it knows the person who
    registered it (evidence shown to staff when they verify the SME)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="vouches")
    voucher = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="vouches_given",
        verbose_name=_("grand compte"),
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("contact garanti"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.TextField(_("commentaire"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("garantie d'un grand compte")
        verbose_name_plural = _("garanties de grands comptes")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "voucher", "contact"], name="vouch_once_per_contact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.voucher} → {self.contact} ({self.organisation})"


class ArbitrationRequest(models.Model):
    """Someone claims an SIREN already registered by others and asks programme staff to decide
    (besides asking its members to let them in)."""

    class State(models.TextChoices):
        PENDING = "pending", _("En attente")
        TRANSFERRED = "transferred", _("Administration transférée")
        REFUSED = "refused", _("Refusée")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="arbitration_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="arbitration_requests"
    )
    message = models.TextField(_("message"), max_length=2000)
    document = models.FileField(
        storage=private_storage, upload_to="arbitration/%Y/%m/", max_length=300, blank=True
    )
    document_name = models.CharField(_("justificatif"), max_length=255, blank=True)
    state = models.CharField(_("état"), max_length=12, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("motif de la décision"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("demande d'arbitrage")
        verbose_name_plural = _("demandes d'arbitrage")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "transferred", "refused"]),
                name="arbitration_state_valid",
            ),
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(state="pending"),
                name="arbitration_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ⇄ {self.organisation}"
