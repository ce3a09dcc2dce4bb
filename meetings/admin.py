from django.contrib import admin

from .models import Event, Meeting, Participant, Session


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    readonly_fields = ["starts_at", "ends_at", "slot_minutes", "tables"]
    can_delete = False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "state", "edition"]
    list_filter = ["state"]
    search_fields = ["title"]
    inlines = [SessionInline]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["event", "side", "organisation", "user", "state"]
    list_filter = ["side", "state"]
    search_fields = ["organisation__name", "siren", "user__email"]
    raw_id_fields = ["event", "organisation", "user", "decided_by"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["event", "sme", "buyer", "state", "slot", "table"]
    list_filter = ["state"]
    raw_id_fields = ["event", "sme", "buyer", "slot", "requested_by"]
    readonly_fields = ["slot", "table"]
