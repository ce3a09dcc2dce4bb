from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("annuaire/", views.search, name="search"),
    path("annuaire/suggestions/", views.autocomplete, name="autocomplete"),
    path("annuaire/export.csv", views.export_csv, name="export_csv"),
    path("annuaire/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("annuaire/pme/<str:siren>/", views.detail, name="detail"),
    path("cartographie/", views.public_map, name="public_map"),
    path("ma-pme/", views.my_profile, name="my_profile"),
    path("ma-pme/inscription/", views.register, name="register"),
    path("ma-pme/modifier/", views.edit_profile, name="edit_profile"),
    path("ma-pme/soumettre/", views.submit_profile, name="submit_profile"),
    path(
        "ma-pme/demandes/<int:pk>/<str:decision>/",
        views.decide_join_request,
        name="decide_join_request",
    ),
    path("ma-pme/justificatif/", views.upload_document, name="upload_document"),
    path("ma-pme/arbitrage/", views.request_arbitration, name="request_arbitration"),
    path("pilotage/moderation/", views.moderation, name="moderation"),
    path(
        "pilotage/moderation/justificatifs/<int:pk>/",
        views.verification_document,
        name="verification_document",
    ),
    path("pilotage/arbitrages/", views.arbitrations, name="arbitrations"),
    path("pilotage/arbitrages/<int:pk>/", views.arbitration, name="arbitration"),
    path(
        "pilotage/arbitrages/<int:pk>/justificatif/",
        views.arbitration_document,
        name="arbitration_document",
    ),
    path("pilotage/pme/<int:pk>/transfert/", views.transfer, name="transfer"),
    path("pilotage/pme/<int:pk>/liberer-siren/", views.release_siren, name="release_siren"),
    path("pilotage/moderation/<int:pk>/", views.moderate, name="moderate"),
]
