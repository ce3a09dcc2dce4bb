from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("rapports/", views.public_list, name="public_list"),
]
