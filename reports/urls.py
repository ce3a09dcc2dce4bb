from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("rapports/", views.public_list, name="public_list"),
    path("rapports/<int:pk>/rapport.pdf", views.public_download, {"fmt": "pdf"}, name="public_pdf"),
    path(
        "rapports/<int:pk>/annexe.xlsx", views.public_download, {"fmt": "xlsx"}, name="public_xlsx"
    ),
    path("editions/", views.public_editions, name="public_editions"),
    path("editions/<slug:slug>/", views.public_edition, name="public_edition"),
    path("editions/<slug:slug>/logo", views.edition_logo, name="edition_logo"),
    path("pilotage/rapports/", views.staff_reports, name="staff_reports"),
    path(
        "pilotage/rapports/editions/<slug:slug>/",
        views.staff_reports,
        name="staff_edition_reports",
    ),
    path("pilotage/rapports/suivi/", views.staff_panel, name="staff_panel"),
    path("pilotage/rapports/generer/", views.staff_generate, name="staff_generate"),
    path("pilotage/rapports/generations/<int:pk>/relancer/", views.staff_retry, name="staff_retry"),
    path(
        "pilotage/rapports/versions/<int:pk>/rapport.pdf",
        views.staff_download,
        {"fmt": "pdf"},
        name="staff_pdf",
    ),
    path(
        "pilotage/rapports/versions/<int:pk>/annexe.xlsx",
        views.staff_download,
        {"fmt": "xlsx"},
        name="staff_xlsx",
    ),
    path("pilotage/rapports/versions/<int:pk>/publier/", views.staff_publish, name="staff_publish"),
    path(
        "pilotage/rapports/versions/<int:pk>/depublier/",
        views.staff_unpublish,
        name="staff_unpublish",
    ),
    path("espace/rapports/", views.member_reports, name="member_reports"),
    path(
        "espace/rapports/<int:pk>/rapport.pdf",
        views.member_download,
        {"fmt": "pdf"},
        name="member_pdf",
    ),
    path(
        "espace/rapports/<int:pk>/annexe.xlsx",
        views.member_download,
        {"fmt": "xlsx"},
        name="member_xlsx",
    ),
]
