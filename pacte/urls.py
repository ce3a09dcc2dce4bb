from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("a-propos/", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("compte/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("directory.urls")),
    path("", include("editions.urls")),
    path("", include("challenges.urls")),
    path("", include("sponsorship.urls")),
    path("", include("procurement.urls")),
    path("", include("effect.urls")),
    path("", include("charter.urls")),
    path("", include("meetings.urls")),
    path("", include("reports.urls")),
]

# MEDIA_ROOT (imports, generated reports) is never served by URL, not even in development: files
# reach people only through views that check who asks.
