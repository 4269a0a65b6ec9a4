"""Who does what where against trafficking (Bali Process Action Item 8): an organisation's
activities, where and when they run, for whom and with whom. Directory data, public to the network
like an organisation's description; nothing in it is about a person."""

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.utils.translation import gettext_lazy as _

from geo.models import AdministrativeArea
from organisations.models import Organisation


class ActivityKind(models.TextChoices):
    PREVENTION = "prevention", _("Prevention")
    AWARENESS = "awareness", _("Awareness raising")
    TRAINING = "training", _("Training")
    CAPACITY_BUILDING = "capacity_building", _("Capacity building")
    RESEARCH = "research", _("Research")
    VICTIM_ASSISTANCE = "victim_assistance", _("Victim assistance")
    POLICY = "policy", _("Policy and legislation")
    COORDINATION = "coordination", _("Coordination")


class TargetGroup(models.TextChoices):
    CHILDREN = "children", _("Children")
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    MIGRANT_WORKERS = "migrant_workers", _("Migrant workers")
    FISHERS = "fishers", _("Fishers and seafarers")
    DOMESTIC_WORKERS = "domestic_workers", _("Domestic workers")
    REFUGEES = "refugees", _("Refugees and asylum seekers")
    STATELESS = "stateless", _("Stateless people")
    SURVIVORS = "survivors", _("Survivors of trafficking")
    COMMUNITIES = "communities", _("Communities at risk")
    FRONTLINE_OFFICIALS = "frontline_officials", _("Frontline officials")
    EMPLOYERS = "employers", _("Employers and recruiters")
    GENERAL_PUBLIC = "general_public", _("General public")


class ActivityQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        from .permissions import restrict_activities

        return restrict_activities(self, user, action)


class Activity(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    title = models.CharField(max_length=200)
    # Public directory text, like an organisation's description: bounded, not screened for
    # personal data (it describes a programme, never a case).
    description = models.TextField(blank=True, max_length=5000)
    areas = models.ManyToManyField(AdministrativeArea, blank=True, related_name="+")
    geometry = models.GeometryField(srid=4326, null=True, blank=True,
                                    help_text="A Point or a MultiPolygon, within the organisation's member states.")
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Empty: ongoing.")
    target_groups = ArrayField(models.CharField(max_length=24, choices=TargetGroup.choices), default=list,
                               blank=True, size=len(TargetGroup.choices))
    partners = models.ManyToManyField(Organisation, blank=True, related_name="activities_as_partner")
    partner_names = ArrayField(models.CharField(max_length=200), default=list, blank=True, size=20,
                               help_text="Partners outside the network, by name.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "title", "id"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                                   name="activity_ends_after_it_starts"),
        ]
        indexes = [models.Index(fields=["organisation", "kind"]), models.Index(fields=["start", "end"])]

    def __str__(self):
        return self.title
