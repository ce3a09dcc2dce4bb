"""The demo data: idempotent, and every printed login signs in with the shared password."""

import io

import pytest
from django.urls import reverse

from accounts import demo
from accounts.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


def test_accounts_demo_is_idempotent():
    demo.seed()
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    demo.seed()
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert Organisation.objects.large_accounts().count() == 2 + len(demo.MEMBERS)
    assert Organisation.objects.smes().count() >= 2


def test_every_demo_login_signs_in_with_the_demo_password(client):
    demo.seed()
    for email, _who in demo.logins():
        response = client.post(
            reverse("account_login"), {"login": email, "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, email
        secret = demo.second_factor_secrets().get(email)
        if secret:  # staff and federators also give the code of their authenticator app
            assert response["Location"] == reverse("mfa_authenticate")
            response = client.post(reverse("mfa_authenticate"), {"code": demo.current_code(secret)})
            if email == demo.STAFF_EMAIL:
                assert response["Location"] == reverse("accounts:staff_home")  # staff land there
            else:
                assert response["Location"] == reverse("accounts:dashboard"), email
        else:
            assert response["Location"] == reverse("accounts:dashboard"), email
        assert client.get(reverse("accounts:dashboard")).status_code == 200
        client.post(reverse("account_logout"))


def test_demo_roles_match_the_printed_logins():
    demo.seed()
    buyer = Membership.objects.get(user__email="buyer@example.org")
    assert buyer.role == "admin"
    assert buyer.organisation.name == "Banque Hexagone"
    assert User.objects.get(email="staff@example.org").is_programme_staff
    assert Membership.objects.get(user__email="sme@example.org").organisation.is_sme


def test_seed_demo_command_prints_every_login_and_the_password():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert demo.DEMO_PASSWORD in printed
    for email, _who in demo.logins():
        assert email in printed
    assert "buyer@example.org" in printed
    assert "staff@example.org" in printed


@pytest.mark.django_db
def test_make_run_loads_the_demo_only_the_first_time():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    User = get_user_model()
    call_command("seed_demo", only_once=True, stdout=io.StringIO())
    User.objects.filter(email="buyer2@example.org").delete()
    call_command("seed_demo", only_once=True, stdout=io.StringIO())
    assert not User.objects.filter(email="buyer2@example.org").exists()  # left as the user left it
    call_command("seed_demo", stdout=io.StringIO())
    assert User.objects.filter(email="buyer2@example.org").exists()


def test_demo_staff_sign_in_with_a_printed_recovery_code_or_the_demo_totp_command(client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert demo.STAFF_TOTP_SECRET in printed
    assert "make demo-code" in printed
    codes = demo.staff_recovery_codes()
    assert len(codes) == 10 and all(code in printed for code in codes)

    command_out = StringIO()
    call_command("demo_totp", stdout=command_out, stderr=StringIO())
    assert command_out.getvalue().strip() in {
        demo.current_staff_code(),
        demo.current_staff_code(offset=-1),
    }

    client.post(
        reverse("account_login"),
        {"login": demo.STAFF_EMAIL, "password": demo.DEMO_PASSWORD, "next": "/pilotage/"},
    )
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response["Location"] == "/pilotage/"
    assert client.get("/pilotage/").status_code == 200


def test_a_demo_loaded_before_gets_the_staff_second_factor_on_the_next_run():
    from io import StringIO

    from allauth.mfa.models import Authenticator
    from django.core.management import call_command

    demo.seed()
    Authenticator.objects.all().delete()
    out = StringIO()
    call_command("seed_demo", only_once=True, stdout=out)
    assert Authenticator.objects.filter(user__email=demo.STAFF_EMAIL).count() == 2
    assert demo.staff_recovery_codes()[0] in out.getvalue()
