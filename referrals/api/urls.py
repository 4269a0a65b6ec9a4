from django.urls import path
from rest_framework.routers import SimpleRouter

from .indicators import IndicatorsView
from .statistics import ExportView, ReferralStatisticsView, ResponseTimesView
from .views import ReferralViewSet

router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
urlpatterns = [
    path("stats/referrals/", ReferralStatisticsView.as_view(), name="stats-referrals"),
    path("stats/referrals/response-times/", ResponseTimesView.as_view(), name="stats-response-times"),
    path("stats/export/", ExportView.as_view(), name="stats-export"),
    path("stats/indicators/", IndicatorsView.as_view(), name="stats-indicators"),
    *router.urls,
]
