from django.urls import path

from . import views

app_name = "sponsorship"

urlpatterns = [
    path("mecenat/", views.home, name="home"),
    path("mecenat/besoins/nouveau/", views.need_create, name="need_create"),
    path("mecenat/besoins/<int:pk>/retirer/", views.need_withdraw, name="need_withdraw"),
    path("mecenat/offres/nouvelle/", views.offer_create, name="offer_create"),
    path("mecenat/offres/<int:pk>/retirer/", views.offer_withdraw, name="offer_withdraw"),
    path("mecenat/missions/<int:pk>/", views.mission, name="mission"),
    path("mecenat/missions/<int:pk>/<slug:action>/", views.mission_action, name="mission_action"),
    path("pilotage/mecenat/", views.staff, name="staff"),
    path(
        "pilotage/mecenat/missions/<int:pk>/<slug:action>/",
        views.staff_mission_action,
        name="staff_mission_action",
    ),
]
