import uuid

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from geo.models import AdministrativeArea

from .codes import validate_country_code, validate_language_code


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows who may do what with its rows: `restrict(user, action)` keeps only
    those, as organisations.permissions decides (imported late: permissions imports the models)."""

    restrict_with = ""  # the name of the function in organisations.permissions

    def restrict(self, user, action: str = "view"):
        from . import permissions

        return getattr(permissions, self.restrict_with)(self, user, action)


class OrganisationQuerySet(RestrictedQuerySet):
    restrict_with = "restrict_organisations"


class MembershipQuerySet(RestrictedQuerySet):
    restrict_with = "restrict_memberships"


class ServiceTypeQuerySet(RestrictedQuerySet):
    restrict_with = "restrict_service_types"


class DirectoryQuerySet(RestrictedQuerySet):
    """Facilities and coverage: the directory entries an organisation registers."""

    restrict_with = "restrict_directory"


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government agency")
    NGO = "ngo", _("Non-governmental organisation")
    INTERNATIONAL = "international", _("International organisation")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CASEWORKER = "caseworker", _("Caseworker")
    VIEWER = "viewer", _("Viewer")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    TRANSGENDER = "transgender", _("Transgender")


class AgeGroup(models.TextChoices):
    CHILD = "child", _("Child")
    ADULT = "adult", _("Adult")


class FacilityKind(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    SERVICE_POINT = "service_point", _("Service point")
    OFFICE = "office", _("Office")


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)
    country = models.CharField(
        max_length=2, validators=[validate_country_code], help_text="ISO 3166-1 alpha-2 code."
    )
    verified = models.BooleanField(
        default=False, help_text="Set by platform administrators once the organisation is vetted."
    )
    identifies_victims = models.BooleanField(
        default=False,
        help_text="Competent to decide whether a person is a victim (set by platform administrators).",
    )
    focal_point = models.BooleanField(
        default=False,
        help_text="A national focal point for returns to its country (set by platform administrators).",
    )
    description = models.TextField(blank=True, max_length=5000)
    website = models.URLField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        # Capabilities held by an organisation's role groups on the organisation itself;
        # organisations.permissions decides which role holds which.
        permissions = [
            ("manage_members", "Add, change and remove the organisation's members"),
            ("manage_directory", "Register the organisation's facilities and coverage"),
            ("view_confidential_locations", "See the exact location of the organisation's shelters"),
            ("act_for_organisation", "Submit and handle referrals in the organisation's name"),
            ("manage_webhooks", "Subscribe the organisation's systems to its events (webhooks)"),
        ]

    def __str__(self):
        return self.name


class OrganisationGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct foreign-key table: a real join instead of a generic object id."""

    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class RoleGroup(models.Model):
    """The auth group holding one role of one organisation: permissions go to groups, never users."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="role_groups")
    role = models.CharField(max_length=16, choices=Role.choices)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role_group")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "role"], name="one_group_per_role"),
        ]

    def __str__(self):
        return f"{self.organisation} {self.role}"


class Membership(models.Model):
    """A user works for exactly one organisation, in one role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return f"{self.user} ({self.role} of {self.organisation})"


class MembershipAction(models.TextChoices):
    ADDED = "added", "Added"
    ROLE_CHANGED = "role_changed", "Role changed"
    REMOVED = "removed", "Removed"


@pgtrigger.register(
    pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
)
class MembershipEvent(models.Model):
    """Who joined, changed role in or left an organisation, when and by whose hand: membership is
    what opens referrals, so every change is kept, and the database refuses to rewrite one."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="membership_events")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=MembershipAction.choices)
    role = models.CharField(max_length=16, choices=Role.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["organisation", "created"])]

    def __str__(self):
        return f"{self.member} {self.action} ({self.role}) at {self.organisation}"


class ServiceType(models.Model):
    """The service taxonomy, managed by platform administrators."""

    code = models.SlugField(primary_key=True, max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    objects = ServiceTypeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


def service_codes_field(**kwargs):
    return ArrayField(models.SlugField(max_length=40), default=list, size=50, **kwargs)


class Facility(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="facilities")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=FacilityKind.choices)
    location = models.PointField(srid=4326)
    area = models.ForeignKey(
        AdministrativeArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    services = service_codes_field()
    capacity_total = models.PositiveIntegerField(default=0)
    capacity_available = models.PositiveIntegerField(default=0)
    # Set by the services on every change (or confirmation) of capacity_available: a figure older
    # than CAPACITY_STALE_HOURS counts as unknown, not as free. Null: never reported.
    capacity_updated = models.DateTimeField(null=True, blank=True)
    accepts_genders = ArrayField(models.CharField(max_length=16, choices=Gender.choices), default=list)
    accepts_age_groups = ArrayField(models.CharField(max_length=8, choices=AgeGroup.choices), default=list)
    languages = ArrayField(models.CharField(max_length=2, validators=[validate_language_code]), default=list)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = DirectoryQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "facilities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity_available__lte=models.F("capacity_total")),
                name="facility_capacity_available_within_total",
            ),
        ]
        indexes = [GinIndex(fields=["services"], name="facility_services_gin")]

    def __str__(self):
        return self.name


class FacilityCapacityRecord(models.Model):
    """Every capacity figure a facility reported or a referral changed, kept for occupancy over
    time. Organisational data (beds), never about a person. The facility is referenced without a
    database constraint so that a deleted facility's history stays (its last record is 0 of 0)."""

    facility = models.ForeignKey(
        Facility, on_delete=models.DO_NOTHING, db_constraint=False, related_name="capacity_history"
    )
    kind = models.CharField(max_length=16, choices=FacilityKind.choices)
    country = models.CharField(max_length=2, blank=True, help_text="Of the facility's area (else its organisation).")
    recorded = models.DateTimeField(db_index=True)
    capacity_available = models.PositiveIntegerField()
    capacity_total = models.PositiveIntegerField()

    class Meta:
        ordering = ["recorded", "id"]
        indexes = [models.Index(fields=["facility", "-recorded"], name="capacity_record_latest_idx")]

    def __str__(self):
        return f"{self.facility_id}: {self.capacity_available}/{self.capacity_total} at {self.recorded}"


class CoverageArea(models.Model):
    """Services an organisation offers over administrative areas and/or a drawn polygon."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="coverage_areas")
    services = service_codes_field()
    areas = models.ManyToManyField(AdministrativeArea, blank=True, related_name="+")
    geometry = models.MultiPolygonField(srid=4326, null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = DirectoryQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [GinIndex(fields=["services"], name="coverage_services_gin")]

    def __str__(self):
        return f"coverage {self.pk} of {self.organisation}"
