from django.urls import path
from rest_framework_nested import routers

from .capacity import CapacityStatisticsView
from .directory_export import DirectoryExportView
from .views import (
    CoverageAreaViewSet,
    FacilityViewSet,
    MemberViewSet,
    OrganisationViewSet,
    ProviderSearchView,
    ServiceTypeViewSet,
)

router = routers.SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("services", ServiceTypeViewSet, basename="service")
router.register("facilities", FacilityViewSet, basename="facility")
router.register("coverage-areas", CoverageAreaViewSet, basename="coveragearea")

members = routers.NestedSimpleRouter(router, "organisations", lookup="organisation")
members.register("members", MemberViewSet, basename="organisation-member")

urlpatterns = [
    path("providers/search/", ProviderSearchView.as_view(), name="provider-search"),
    path("directory/export/", DirectoryExportView.as_view(), name="directory-export"),
    path("stats/capacity/", CapacityStatisticsView.as_view(), name="stats-capacity"),
    *router.urls,
    *members.urls,
]
