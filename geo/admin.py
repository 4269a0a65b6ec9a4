from django.contrib.gis import admin

from .models import AdministrativeArea


@admin.register(AdministrativeArea)
class AdministrativeAreaAdmin(admin.GISModelAdmin):
    list_display = ["name", "code", "country", "level"]
    list_filter = ["level", "country"]
    search_fields = ["name", "code"]
