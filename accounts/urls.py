from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("espace/", views.dashboard, name="dashboard"),
    path("espace/organisation/", views.switch_organisation, name="switch_organisation"),
    path("mon-organisation/", views.my_organisation, name="my_organisation"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/inviter/", views.invite, name="invite"),
    path(
        "organisations/<int:pk>/membres/<int:membership_pk>/role/",
        views.change_role,
        name="change_role",
    ),
    path(
        "organisations/<int:pk>/membres/<int:membership_pk>/retirer/",
        views.remove_member,
        name="remove_member",
    ),
    path(
        "organisations/<int:pk>/invitations/<int:invitation_pk>/revoquer/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path(
        "organisations/<int:pk>/invitations/<int:invitation_pk>/renvoyer/",
        views.resend_invitation,
        name="resend_invitation",
    ),
    path("organisations/<int:pk>/publication/", views.public_naming, name="public_naming"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("pilotage/", views.staff_home, name="staff_home"),
    path("pilotage/journal/", views.journal, name="journal"),
    path("pilotage/grands-comptes/", views.large_account_list, name="large_accounts"),
    path(
        "pilotage/grands-comptes/nouveau/",
        views.large_account_create,
        name="large_account_create",
    ),
    path("pilotage/federateurs/", views.federator_list, name="federators"),
    path("pilotage/federateurs/nouveau/", views.federator_create, name="federator_create"),
]
