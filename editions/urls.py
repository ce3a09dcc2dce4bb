from django.urls import path

from . import views

app_name = "editions"

urlpatterns = [
    path("pilotage/editions/", views.edition_list, name="list"),
    path("pilotage/editions/nouvelle/", views.edition_create, name="create"),
    path("pilotage/editions/<slug:slug>/", views.edition_manage, name="manage"),
    path("pilotage/editions/<slug:slug>/modifier/", views.edition_edit, name="edit"),
    path(
        "pilotage/editions/<slug:slug>/grands-comptes/ajouter/",
        views.account_add,
        name="account_add",
    ),
    path(
        "pilotage/editions/<slug:slug>/grands-comptes/<int:pk>/retirer/",
        views.account_remove,
        name="account_remove",
    ),
    path(
        "pilotage/editions/<slug:slug>/demandes/<int:pk>/",
        views.request_decide,
        name="request_decide",
    ),
    path("pilotage/editions/<slug:slug>/ecrire/", views.email_accounts, name="email_accounts"),
    path(
        "pilotage/editions/<slug:slug>/conventions/nouvelle/",
        views.convention_create,
        name="convention_create",
    ),
    path(
        "pilotage/editions/<slug:slug>/conventions/<int:pk>/",
        views.convention_detail,
        name="convention",
    ),
    path(
        "pilotage/editions/<slug:slug>/conventions/<int:pk>/modifier/",
        views.convention_edit,
        name="convention_edit",
    ),
    path(
        "pilotage/editions/<slug:slug>/conventions/<int:pk>/convention.pdf",
        views.convention_document,
        name="convention_document",
    ),
    path("editions/<slug:slug>/adherer/", views.join, name="join"),
]
