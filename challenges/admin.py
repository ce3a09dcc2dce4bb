from django.contrib import admin

from .models import Answer, Challenge, ResearchProfile


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "buyer", "state", "deadline", "published_at"]
    list_filter = ["state"]
    search_fields = ["title", "buyer__name"]
    raw_id_fields = ["buyer", "created_by", "reviewed_by"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["challenge", "organisation", "state", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["challenge", "organisation", "author"]
    exclude = ["document"]


@admin.register(ResearchProfile)
class ResearchProfileAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "created_at"]
    raw_id_fields = ["organisation", "created_by"]
