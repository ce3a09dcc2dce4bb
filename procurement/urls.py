from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    path("declarations/", views.declaration_home, name="declaration_home"),
    path("commandes-declarees/", views.sme_orders, name="sme_orders"),
    path("pilotage/campagnes/", views.staff_campaigns, name="staff_campaigns"),
]
