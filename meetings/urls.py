from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("rencontres/", views.index, name="index"),
    path("rencontres/<int:pk>/", views.event, name="event"),
    path("rencontres/<int:pk>/candidature/", views.apply, name="apply"),
    path("rencontres/<int:pk>/acheteurs/", views.register_buyer, name="register_buyer"),
    path(
        "rencontres/<int:pk>/demander/<int:participant_pk>/",
        views.request_meeting,
        name="request",
    ),
    path("rencontres/<int:pk>/agenda/", views.agenda, name="agenda"),
    path("rencontres/<int:pk>/agenda.ics", views.agenda_ics, name="agenda_ics"),
    path("rencontres/rendez-vous/<int:pk>/", views.meeting, name="meeting"),
    path("rencontres/rendez-vous/<int:pk>/invitation.ics", views.meeting_ics, name="meeting_ics"),
    # Organisers: programme staff (second factor, as every /pilotage/ page) and federators.
    path("pilotage/rencontres/", views.organiser_list, name="organiser_list"),
    path("pilotage/rencontres/nouvelle/", views.organiser_create, name="organiser_create"),
    path("pilotage/rencontres/<int:pk>/", views.organiser_event, name="organiser_event"),
    path("pilotage/rencontres/<int:pk>/modifier/", views.organiser_edit, name="organiser_edit"),
    path(
        "pilotage/rencontres/<int:pk>/session/", views.organiser_session, name="organiser_session"
    ),
    path("pilotage/rencontres/<int:pk>/etat/", views.organiser_state, name="organiser_state"),
    path(
        "pilotage/rencontres/<int:pk>/planifier/",
        views.organiser_schedule,
        name="organiser_schedule",
    ),
    path("pilotage/rencontres/<int:pk>/tables/", views.organiser_tables, name="organiser_tables"),
    path(
        "pilotage/rencontres/candidatures/<int:pk>/",
        views.organiser_decide,
        name="organiser_decide",
    ),
    path(
        "pilotage/rencontres/rendez-vous/<int:pk>/presence/",
        views.organiser_attendance,
        name="organiser_attendance",
    ),
]
