from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("rapports/", views.public_list, name="public_list"),
    path("pilotage/rapports/", views.staff_reports, name="staff_reports"),
]
