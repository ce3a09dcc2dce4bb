from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    # Large account
    path("declarations/", views.declaration_home, name="declaration_home"),
    path(
        "declarations/campagne/<int:campaign_pk>/commencer/",
        views.declaration_start,
        name="declaration_start",
    ),
    path("declarations/chiffres/", views.account_figures, name="account_figures"),
    path(
        "declarations/chiffres/chiffres-cles.csv",
        views.account_key_figures_export,
        name="account_key_figures_export",
    ),
    path(
        "declarations/chiffres/export.<str:fmt>",
        views.account_figures_export,
        name="account_figures_export",
    ),
    path("declarations/modele.<str:fmt>", views.import_template, name="import_template"),
    path(
        "declarations/correspondances-domaines/",
        views.domain_mappings,
        name="domain_mappings",
    ),
    path("declarations/sites/", views.site_list, name="site_list"),
    path("declarations/sites/ajouter/", views.site_add, name="site_add"),
    path("declarations/sites/<int:pk>/modifier/", views.site_edit, name="site_edit"),
    path("declarations/sites/<int:pk>/supprimer/", views.site_delete, name="site_delete"),
    path("declarations/pme/suggestions/", views.sme_autocomplete, name="sme_autocomplete"),
    path("declarations/pme-a-verifier/", views.smes_to_vouch_for, name="smes_to_vouch_for"),
    path("declarations/pme-a-verifier/<str:siren>/", views.vouch, name="vouch"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration_detail"),
    path("declarations/<int:pk>/total/", views.declaration_total, name="declaration_total"),
    path("declarations/<int:pk>/totaux/", views.declaration_totals, name="declaration_totals"),
    path("declarations/<int:pk>/lignes/ajouter/", views.line_add, name="line_add"),
    path("declarations/<int:pk>/lignes/<int:line_pk>/", views.line_row, name="line_row"),
    path("declarations/<int:pk>/lignes/<int:line_pk>/modifier/", views.line_edit, name="line_edit"),
    path(
        "declarations/<int:pk>/lignes/<int:line_pk>/supprimer/",
        views.line_delete,
        name="line_delete",
    ),
    path("declarations/<int:pk>/soumettre/", views.declaration_submit, name="declaration_submit"),
    path("declarations/<int:pk>/rouvrir/", views.declaration_reopen, name="declaration_reopen"),
    path(
        "declarations/<int:pk>/historique/", views.declaration_history, name="declaration_history"
    ),
    path("declarations/<int:pk>/import/", views.import_upload, name="import_upload"),
    path("declarations/<int:pk>/import/<int:job_pk>/", views.import_detail, name="import_detail"),
    path(
        "declarations/<int:pk>/import/<int:job_pk>/progression/",
        views.import_progress,
        name="import_progress",
    ),
    path(
        "declarations/<int:pk>/import/<int:job_pk>/confirmer/",
        views.import_confirm,
        name="import_confirm",
    ),
    path(
        "declarations/<int:pk>/import/<int:job_pk>/correspondances/",
        views.import_map,
        name="import_map",
    ),
    path(
        "declarations/<int:pk>/import/<int:job_pk>/erreurs.csv",
        views.import_errors_csv,
        name="import_errors_csv",
    ),
    path(
        "declarations/<int:pk>/import/<int:job_pk>/abandonner/",
        views.import_cancel,
        name="import_cancel",
    ),
    path(
        "declarations/<int:pk>/import/<int:job_pk>/lignes-remplacees/",
        views.import_replaced_lines,
        name="import_replaced_lines",
    ),
    # SME
    path("commandes-declarees/", views.sme_orders, name="sme_orders"),
    path("commandes-declarees/contestations/<int:pk>/", views.sme_dispute, name="sme_dispute"),
    path("declarations/contestations/", views.account_disputes, name="account_disputes"),
    path("declarations/contestations/<int:pk>/", views.dispute_answer, name="dispute_answer"),
    path("pilotage/contestations/", views.staff_disputes, name="staff_disputes"),
    path(
        "pilotage/contestations/<int:pk>/",
        views.staff_dispute_settle,
        name="staff_dispute_settle",
    ),
    path(
        "commandes-declarees/<int:line_pk>/repondre/",
        views.sme_order_respond,
        name="sme_order_respond",
    ),
    # Staff
    path("pilotage/campagnes/", views.staff_campaigns, name="staff_campaigns"),
    path("pilotage/campagnes/nouvelle/", views.campaign_form, name="campaign_create"),
    path("pilotage/campagnes/<int:pk>/", views.campaign_dashboard, name="campaign_dashboard"),
    path("pilotage/campagnes/<int:pk>/modifier/", views.campaign_form, name="campaign_edit"),
    path("pilotage/campagnes/<int:pk>/etat/", views.campaign_state, name="campaign_state"),
    path("pilotage/campagnes/<int:pk>/export.csv", views.campaign_export, name="campaign_export"),
    path(
        "pilotage/campagnes/<int:pk>/export.xlsx",
        views.campaign_export,
        {"fmt": "xlsx"},
        name="campaign_export_xlsx",
    ),
    path("pilotage/campagnes/<int:pk>/relancer/", views.campaign_remind, name="campaign_remind"),
]
