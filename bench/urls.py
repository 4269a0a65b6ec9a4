"""The application's routes, plus the baselines the benchmarks compare against, through the same
middleware, authentication, throttling and renderers:

- `/bench/bare/`: a bare Django view (no DRF, no authentication, no throttle): the floor of the
  stack itself, which ping is reported against;
- `/bench/ping/`: a trivial authenticated endpoint (the floor of any request);
- `/bench/referrals-unfiltered/`: the referral list exactly as `/api/v1/referrals/` serves it
  (the real view: same queryset, serializer, filters, pagination and audit of the read) but
  without the access filter."""

from django.db.models import F
from django.http import JsonResponse
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from config.urls import urlpatterns as application_urlpatterns
from referrals import selectors
from referrals.api.views import ReferralViewSet


class PingView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True})


def bare_view(request):
    return JsonResponse({"ok": True})


class UnfilteredReferralViewSet(ReferralViewSet):
    """ReferralViewSet with one thing overridden: the access filter. Everything else is the real
    view's own code, so the baseline cannot drift from it (the list suite checks that this page
    reads no grant and the real one does)."""

    def get_queryset(self):
        # The real view's queryset without `restrict(user, "view")`, with the ordering key the real
        # list reads from the grants (`access_created`, equal to `created`).
        return selectors.with_duplicate_hint(self.get_base_queryset().annotate(access_created=F("created")))


router = SimpleRouter()
router.register("bench/referrals-unfiltered", UnfilteredReferralViewSet, basename="bench-unfiltered")

urlpatterns = [
    path("bench/bare/", bare_view, name="bench-bare"),
    path("bench/ping/", PingView.as_view(), name="bench-ping"),
    *router.urls,
    *application_urlpatterns,
]
