"""The admin of the directory and the taxonomy, for platform administrators.

The admin keeps the rules the API keeps, superusers included (each is an override of the admin's
own checks, which do not look at `is_superuser`):
- a shelter's exact place is its organisation's: its location is shown as
  organisations.selectors.facility_location_shown shows it to the viewer (the 0.1 degree grid
  point, for everyone else), never as a map or a field, and cannot be searched or filtered on;
- facilities, coverage and memberships are read-only: the organisation registers its directory,
  and its members come and go, through the services (the API), which check and audit them;
- organisations are changed through their services (creating one creates its role groups) and
  never deleted (its referrals and their trail hang on it).
Accounts, groups and tokens: organisations.admin_auth. Referrals have no admin (referrals/admin.py).
"""

from django.contrib import admin

from geo.admin import ReadOnlyAdmin

from . import (
    admin_auth,  # noqa: F401  (registers the admin of accounts, groups and tokens)
    permissions,
    services,
)
from .models import CoverageArea, Facility, Membership, MembershipEvent, Organisation, ServiceType
from .selectors import facility_location_shown


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "verified"]
    list_filter = ["kind", "verified", "country"]
    search_fields = ["name"]
    readonly_fields = ["created", "updated"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":
            kwargs["assume_scheme"] = "https"  # what Django 6 assumes; an address typed without one
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.ORGANISATION_FIELDS if name in form.cleaned_data}
        if change:
            services.organisation_update(organisation=obj, data=data, by=request.user)
        else:
            obj.pk = services.organisation_create(data=data).pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "role", "created"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__name"]


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyAdmin):
    """The audit trail of memberships (organisations.services' member_* functions write it)."""

    list_display = ["created", "organisation", "member", "action", "role", "by"]
    list_filter = ["action", "role"]
    search_fields = ["member__username", "organisation__name"]


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


# What the admin shows of a facility; `location` never (see location_shown).
FACILITY_FIELDS = [
    "organisation", "name", "kind", "location_shown", "area", "services", "capacity_total",
    "capacity_available", "accepts_genders", "accepts_age_groups", "languages", "created", "updated",
]
# Where the place is: not shown where the location is not, and never a filter (a filter on the
# location is a search for it: ?location__within=<a small square> says whether it is there).
PLACE_FIELDS = ("location", "area")


@admin.register(Facility)
class FacilityAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation", "kind", "capacity_available", "capacity_total"]
    list_filter = ["kind"]
    search_fields = ["name", "organisation__name"]
    exclude = PLACE_FIELDS  # no form field, no map widget, whatever else asks for a form

    def get_object(self, request, object_id, from_field=None):
        facility = super().get_object(request, object_id, from_field)
        if facility is not None:
            # The one rule: exact for the shelter's own organisation, the grid point for everyone else.
            facility.admin_location_shown = facility_location_shown(
                facility, permissions.exact_locations_for(request.user)
            )
        return facility

    def get_fields(self, request, obj=None):
        exact = obj is not None and self._shown(obj)[1]
        return [name for name in FACILITY_FIELDS if exact or name not in PLACE_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in PLACE_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    @staticmethod
    def _shown(facility):
        # Without the viewer (nothing set by get_object), as shown to nobody in particular.
        return getattr(facility, "admin_location_shown", None) or facility_location_shown(facility)

    @admin.display(description="location")
    def location_shown(self, facility) -> str:
        point, exact = self._shown(facility)
        where = ", ".join(f"{value:.6f}".rstrip("0").rstrip(".") for value in (point.y, point.x))
        where += " (latitude, longitude)"
        return where if exact else f"{where}, rounded to the coarse grid: the shelter's place is confidential"


@admin.register(CoverageArea)
class CoverageAreaAdmin(ReadOnlyAdmin):
    list_display = ["id", "organisation"]
    search_fields = ["organisation__name"]
