from django.urls import path

from . import views

app_name = "charter"

urlpatterns = [
    path("charte/", views.public_charter, name="public"),
    path("charte/prestataires/", views.public_providers_charter, name="public_providers"),
    path("charte/signer/", views.sign, name="sign"),
    path("charte/certificat/<int:pk>/", views.certificate, name="certificate"),
    path("charte/contacts/", views.contacts, name="contacts"),
    path("charte/objectifs/", views.targets_home, name="targets_home"),
    path("charte/objectifs/<int:campaign_pk>/", views.targets, name="targets"),
]
