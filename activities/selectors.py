"""Reads of activities, already restricted to what the reader may see (the whole network)."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from geo.models import AdministrativeArea
from organisations.models import Organisation

from .models import Activity


def activity_list() -> QuerySet[Activity]:
    """Unrestricted, with what the list and the exports read (no area outlines): a fixed number of
    queries whatever the page size."""
    return Activity.objects.select_related("organisation").prefetch_related(
        Prefetch("areas", queryset=AdministrativeArea.objects.select_related("parent")
                 .defer("geometry", "parent__geometry").order_by("level", "name", "id")),
        Prefetch("partners", queryset=Organisation.objects.only("id", "name", "kind").order_by("name", "id")),
    )


def activities_for(user) -> QuerySet[Activity]:
    return activity_list().restrict(user, "view")


def in_country(queryset: QuerySet[Activity], country: str) -> QuerySet[Activity]:
    """Activities run in the country: one of its areas, or the organisation's own country when it
    names none (a drawn place is within the organisation's member states)."""
    country = country.upper()
    return queryset.filter(
        Q(areas__country=country) | Q(areas__isnull=True, organisation__country=country)
    ).distinct()


def running_between(queryset: QuerySet[Activity], start: date | None, end: date | None) -> QuerySet[Activity]:
    """Activities whose period [start, end] (end empty: ongoing) overlaps [start, end] asked."""
    if start is not None:
        queryset = queryset.filter(Q(end__isnull=True) | Q(end__gte=start))
    if end is not None:
        queryset = queryset.filter(start__lte=end)
    return queryset


def with_partner(queryset: QuerySet[Activity], organisation_id) -> QuerySet[Activity]:
    return queryset.filter(partners__pk=organisation_id).distinct()
