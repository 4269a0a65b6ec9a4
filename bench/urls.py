"""The application's routes, plus the baselines the benchmarks compare against, through the same
middleware, authentication, throttling and renderers:

- `/bench/ping/`: a trivial authenticated endpoint (the floor of any request);
- `/bench/referrals-unfiltered/`: the referral list exactly as `/api/v1/referrals/` serves it
  (same serializer, pagination, prefetches and audit of the read) but without the access filter;
- `/bench/what-if/...`: the referral list (filtered and not) and the matches of a referral with
  one change the benchmark recommends for `referrals/api/views.py`: not loading each referral's
  whole country outline (`select_related("area")` reads `area.geometry`, hundreds of kilobytes
  for a large country, for a response that shows the area's id, name and country)."""

from django.db.models import F, Prefetch
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from config.urls import urlpatterns as application_urlpatterns
from referrals import selectors
from referrals.api.views import ReferralViewSet
from referrals.models import Offer, Referral


class PingView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True})


class UnfilteredReferralViewSet(ReferralViewSet):
    """ReferralViewSet.get_queryset with `Referral.objects` in place of `referral_list_for(user)`."""

    def get_queryset(self):
        queryset = Referral.objects.annotate(access_created=F("created"))
        return (
            selectors.with_duplicate_hint(queryset)
            .select_related("submitting_organisation", "accepted_by", "area")
            .prefetch_related(
                Prefetch("offers", queryset=Offer.objects.select_related("organisation")),
                "outcomes__organisation",
            )
        )


class WhatIfReferralViewSet(ReferralViewSet):
    def get_queryset(self):
        return super().get_queryset().defer("area__geometry")


class WhatIfUnfilteredReferralViewSet(UnfilteredReferralViewSet):
    def get_queryset(self):
        return super().get_queryset().defer("area__geometry")


router = SimpleRouter()
router.register("bench/referrals-unfiltered", UnfilteredReferralViewSet, basename="bench-unfiltered")
router.register("bench/what-if/referrals", WhatIfReferralViewSet, basename="bench-what-if")
router.register("bench/what-if/referrals-unfiltered", WhatIfUnfilteredReferralViewSet,
                basename="bench-what-if-unfiltered")

urlpatterns = [
    path("bench/ping/", PingView.as_view(), name="bench-ping"),
    *router.urls,
    *application_urlpatterns,
]
