from django.contrib.gis import admin

from .models import CoverageArea, Facility, Membership, Organisation, ServiceType


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "verified"]
    list_filter = ["kind", "verified", "country"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Facility)
class FacilityAdmin(admin.GISModelAdmin):
    list_display = ["name", "organisation", "kind", "capacity_available", "capacity_total"]
    list_filter = ["kind"]


@admin.register(CoverageArea)
class CoverageAreaAdmin(admin.GISModelAdmin):
    list_display = ["id", "organisation"]
