import pytest


@pytest.mark.django_db
def test_pages_are_french_whatever_the_browser_asks(client):
    response = client.get("/compte/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="fr"' in response.content.decode()
    assert "Connexion" in response.content.decode()


@pytest.mark.django_db
def test_the_switch_turns_the_portal_to_english_and_back(client):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/compte/login/"}, follow=True
    )
    assert 'lang="en"' in response.content.decode()
    assert "Sign in" in response.content.decode()
    response = client.post(
        "/i18n/setlang/", {"language": "fr", "next": "/compte/login/"}, follow=True
    )
    assert 'lang="fr"' in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_french(client):
    client.cookies["django_language"] = "xx"
    assert 'lang="fr"' in client.get("/").content.decode()
