"""Dates in French and in Paris time ("30 nov. 2026 à 11:06"), names after "de" elided."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from accounts.french import de, elide
from tests.factories import DeclarationFactory, UserFactory

# 10:06 UTC on 30 November is 11:06 in Paris (winter time); 10:06 UTC on 1 July is 12:06.
WINTER = datetime.datetime(2026, 11, 30, 10, 6, tzinfo=datetime.UTC)
SUMMER = datetime.datetime(2026, 7, 1, 10, 6, tzinfo=datetime.UTC)


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_date_times_read_in_french_and_in_paris_time():
    with translation.override("fr"):
        assert render('{{ at|date:"DATETIME_FORMAT" }}', at=WINTER) == "30 nov. 2026 à 11:06"
        assert render('{{ at|date:"SHORT_DATETIME_FORMAT" }}', at=SUMMER) == "1 juil. 2026 à 12:06"
        assert render('{{ at|date:"DATE_FORMAT" }}', at=WINTER) == "30 novembre 2026"


def test_date_times_in_english_use_the_same_clock():
    with translation.override("en"):
        assert render('{{ at|date:"DATETIME_FORMAT" }}', at=WINTER) == "30 Nov. 2026, 11:06"


def test_audit_and_history_values_stored_as_iso_strings_read_in_french():
    from audit.selectors import _value

    with translation.override("fr"):
        assert _value("2026-11-30T10:06:20+00:00") == "30 nov. 2026 à 11:06"
        assert _value("2026-11-30") == "30 novembre 2026"
        assert _value("2026-11-3x") == "2026-11-3x"


def test_names_after_de_are_elided_and_contracted_in_french_only():
    with translation.override("fr"):
        assert elide("Rouvrir la déclaration 2026 de Énergies de France") == (
            "Rouvrir la déclaration 2026 d'Énergies de France"
        )
        assert elide("auprès de les distributeurs") == "auprès des distributeurs"
        assert elide("Profil de Hugo") == "Profil de Hugo"  # "h" may be aspirated
        assert elide("Île-de-France") == "Île-de-France"
    with translation.override("en"):
        assert elide("Profile de Aéroports") == "Profile de Aéroports"
    assert de("apprentissage automatique") == "d'apprentissage automatique"
    assert de("le cloud") == "du cloud"


@pytest.mark.django_db
def test_the_reopen_page_title_is_elided(client):
    declaration = DeclarationFactory(
        submitted=True, organisation__name="Énergies de France", campaign__year=2026
    )
    client.force_login(UserFactory(staff=True))
    page = client.get(reverse("procurement:declaration_reopen", args=[declaration.pk]))
    assert "Rouvrir la déclaration 2026 d'Énergies de France" in page.content.decode()
