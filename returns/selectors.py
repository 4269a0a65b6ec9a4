"""Reads of return cases, always restricted to what the user's organisation may read."""

from django.db.models import Prefetch, QuerySet

from .models import FollowUp, ReturnCase, ReturnEvent


def return_list(user) -> QuerySet[ReturnCase]:
    """The returns the user's organisation opened or, as a focal point, receives."""
    return returns_with_details().restrict(user, "view")


def returns_with_details() -> QuerySet[ReturnCase]:
    """Unrestricted (the API's base viewset restricts it): what a page of returns shows, in a
    fixed number of queries."""
    return (
        ReturnCase.objects.select_related("referral", "origin_organisation")
        .only(
            *(f.name for f in ReturnCase._meta.concrete_fields),
            "referral__id", "referral__age_band", "referral__gender", "referral__nationality",
            "referral__languages", "referral__needs", "origin_organisation__id", "origin_organisation__name",
            "origin_organisation__kind",
        )
        .prefetch_related(
            Prefetch("events", queryset=ReturnEvent.objects.select_related("organisation", "actor")),
            Prefetch("follow_ups", queryset=FollowUp.objects.order_by("months")),
        )
    )
