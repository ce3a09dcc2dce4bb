from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("annuaire/", views.search, name="search"),
    path("annuaire/suggestions/", views.autocomplete, name="autocomplete"),
    path("annuaire/pme/<str:siren>/", views.detail, name="detail"),
    path("cartographie/", views.public_map, name="public_map"),
    path("ma-pme/", views.my_profile, name="my_profile"),
    path("ma-pme/inscription/", views.register, name="register"),
    path("pilotage/moderation/", views.moderation, name="moderation"),
]
