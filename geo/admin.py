"""Administrative areas are loaded by `load_boundaries` and read here, never written: which area a
point falls in decides where referrals go. Nor deleted: referrals and facilities name their area,
and the confirmation page would list them. The boundary itself is not shown (a country's outline
is megabytes of text); the API serves it."""

from django.contrib import admin

from .models import AdministrativeArea


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written, whoever asks: the writes go through the services (the API), which
    check who may make them and keep them consistent. Here, in the lowest domain app, so that
    every app above can use it."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AdministrativeArea)
class AdministrativeAreaAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "country", "level"]
    list_filter = ["level", "country"]
    search_fields = ["name", "code"]
    fields = readonly_fields = ["name", "code", "country", "level", "parent"]
