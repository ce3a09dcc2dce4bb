"""A small campaign whose every figure is known in advance (see EXPECTED), and helpers."""

import datetime
import importlib
import re
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from directory.models import Departement, Domain
from procurement.models import OrderLine
from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrganisationFactory,
    SMEProfileFactory,
    valid_siren,
)

UNREGISTERED_SIREN = valid_siren(987_654)
JOINED = datetime.date(2020, 1, 1)
PUBLISHED_AT = datetime.datetime(2024, 1, 15, 9, 0, tzinfo=datetime.UTC)

# member -> (public_naming, IT purchases); lines: (member, sme, amount, domain slug, delay)
MEMBERS = {
    "Alpha Banque": (True, Decimal("1000000")),
    "Beta Assurances": (True, Decimal("800000")),
    "Gamma Énergie": (False, Decimal("2000000")),
    "Delta Transports": (False, Decimal("500000")),
}
SMES = {  # name -> (département, headcount band)
    "Lyon Logiciels": ("69", "11"),
    "Rhône Data": ("69", "11"),
    "Paris Cloud": ("75", "12"),
    "Rennes Cyber": ("35", "21"),
}
LINES_2025 = [
    ("Alpha Banque", "Lyon Logiciels", 100_000, "cybersecurite", 30),
    ("Alpha Banque", "Rennes Cyber", 50_000, "cloud-hebergement", 90),
    ("Alpha Banque", None, 25_000, "cybersecurite", None),  # an SME not in the directory
    ("Beta Assurances", "Lyon Logiciels", 80_000, "cybersecurite", 45),
    ("Beta Assurances", "Paris Cloud", 60_000, "data-ia", 60),
    ("Beta Assurances", "Rennes Cyber", 20_000, "cloud-hebergement", 30),
    ("Gamma Énergie", "Rhône Data", 40_000, "cybersecurite", 75),
    ("Gamma Énergie", "Paris Cloud", 30_000, "data-ia", None),
    ("Delta Transports", "Rhône Data", 70_000, "cybersecurite", 20),
    ("Delta Transports", "Paris Cloud", 10_000, "cybersecurite", 61),
]
LINES_2024 = [
    ("Alpha Banque", "Lyon Logiciels", 50_000, "cybersecurite", 40),
    ("Beta Assurances", "Lyon Logiciels", 40_000, "cybersecurite", 50),
    ("Gamma Énergie", "Paris Cloud", 10_000, "data-ia", 70),
]


def pdf_text(data: bytes) -> str:
    """The PDF's text with every kind of space made plain, runs of spaces collapsed."""
    reader = PdfReader(BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    text = text.replace("\u202f", " ").replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text)


def pdf_fonts(data: bytes) -> set[str]:
    reader = PdfReader(BytesIO(data))
    fonts = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return fonts


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def ensure_reference_data() -> None:
    """Regions, départements and domains come from a data migration, which a transactional
    test's flush empties: load them again when missing."""
    if Departement.objects.exists():
        return
    from django.apps import apps

    importlib.import_module("directory.migrations.0002_reference_data").load(apps, None)


class ReportData:
    def __init__(self):
        ensure_reference_data()
        self.campaign = CampaignFactory(
            year=2025, closed=True, methodology="Montants hors taxes, commandes de l'année."
        )
        self.previous = CampaignFactory(year=2024, closed=True)
        self.members = {
            name: OrganisationFactory(name=name, public_naming=named, joined_on=JOINED)
            for name, (named, _total) in MEMBERS.items()
        }
        self.draft_member = OrganisationFactory(name="Epsilon Brouillon", joined_on=JOINED)
        self.smes = {
            name: SMEProfileFactory(
                organisation__name=name,
                departement=Departement.objects.get(code=dept),
                headcount_band=band,
                published_at=PUBLISHED_AT,  # before both campaigns closed: registered in each
            )
            for name, (dept, band) in SMES.items()
        }
        self.declarations = {}
        for campaign, lines in ((self.campaign, LINES_2025), (self.previous, LINES_2024)):
            for name in {line[0] for line in lines}:
                self.declarations[campaign.year, name] = DeclarationFactory(
                    campaign=campaign,
                    organisation=self.members[name],
                    submitted=True,
                    it_purchases_total=MEMBERS[name][1],
                )
            for member, sme, amount, domain, delay in lines:
                OrderLine.objects.create(
                    declaration=self.declarations[campaign.year, member],
                    sme_profile_id=self.smes[sme].siren if sme else UNREGISTERED_SIREN,
                    sme_name=sme or "PME non inscrite",
                    amount=Decimal(amount),
                    order_date=datetime.date(campaign.year, 5, 1),
                    domain=Domain.objects.get(slug=domain),
                    payment_delay_days=delay,
                )
        # A draft declaration with a big line: it must not count anywhere.
        draft = DeclarationFactory(campaign=self.campaign, organisation=self.draft_member)
        OrderLine.objects.create(
            declaration=draft,
            sme_profile_id=self.smes["Paris Cloud"].siren,
            sme_name="Paris Cloud",
            amount=Decimal("9999999"),
            order_date=datetime.date(2025, 5, 1),
            domain=Domain.objects.get(slug="cybersecurite"),
        )


@pytest.fixture
def report_data(db):
    return ReportData()
