from django.urls import path

from . import views

app_name = "challenges"

urlpatterns = [
    path("defis/", views.challenge_list, name="list"),
    path("defis/nouveau/", views.challenge_create, name="create"),
    path("defis/laureats/", views.awarded_list, name="awarded"),
    path("defis/mes-reponses/", views.my_answers, name="my_answers"),
    path("defis/recherche/inscription/", views.research_register, name="research_register"),
    path("defis/<int:pk>/", views.challenge_detail, name="detail"),
    path("defis/<int:pk>/modifier/", views.challenge_edit, name="edit"),
    path("defis/<int:pk>/soumettre/", views.challenge_submit, name="submit"),
    path("defis/<int:pk>/cloturer/", views.challenge_close, name="close"),
    path("defis/<int:pk>/repondre/", views.answer_create, name="answer"),
    path("defis/reponses/<int:pk>/document/", views.answer_document, name="answer_document"),
    path("defis/reponses/<int:pk>/<slug:decision>/", views.answer_decide, name="answer_decide"),
    path("pilotage/defis/", views.staff_list, name="staff_list"),
    path("pilotage/defis/<int:pk>/", views.staff_review, name="staff_review"),
    path("pilotage/defis/recherche/", views.staff_research, name="staff_research"),
    path(
        "pilotage/defis/recherche/<int:pk>/verifier/",
        views.staff_research_verify,
        name="staff_research_verify",
    ),
]
