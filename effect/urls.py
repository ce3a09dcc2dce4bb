from django.urls import path

from . import views

app_name = "effect"

urlpatterns = [
    path("pilotage/effet-pacte/", views.staff_overview, name="staff_overview"),
    path("ma-pme/effet-pacte/", views.sme_contacts, name="sme_contacts"),
]
