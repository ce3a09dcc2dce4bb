from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("espace/", views.dashboard, name="dashboard"),
    path("espace/organisation/", views.switch_organisation, name="switch_organisation"),
    path("pilotage/", views.staff_home, name="staff_home"),
]
