"""The console's pages for organisation admins, the directory map and analysts (issue 12, parts
5-7). Included by console/urls.py, in the console namespace."""

from django.urls import path

from .views import directory, directory_activities, organisation, statistics

urlpatterns = [
    path("organisation/", organisation.OrganisationOverviewView.as_view(), name="organisation"),
    path("organisation/facilities/", organisation.FacilityListView.as_view(), name="organisation-facilities"),
    path("organisation/facilities/<int:pk>/capacity/", organisation.FacilityCapacityView.as_view(),
         name="organisation-facility-capacity"),
    path("organisation/coverage/", organisation.CoverageView.as_view(), name="organisation-coverage"),
    path("organisation/coverage/map.geojson", organisation.CoverageMapDataView.as_view(),
         name="organisation-coverage-map"),
    path("organisation/members/", organisation.MembersView.as_view(), name="organisation-members"),
    path("organisation/members/<int:pk>/role/", organisation.MemberRoleView.as_view(), name="organisation-member-role"),
    path("organisation/members/<int:pk>/remove/", organisation.MemberRemoveView.as_view(),
         name="organisation-member-remove"),
    path("organisation/webhooks/", organisation.WebhooksView.as_view(), name="organisation-webhooks"),
    path("organisation/webhooks/<uuid:pk>/", organisation.WebhookDetailView.as_view(), name="organisation-webhook"),
    path("organisation/webhooks/<uuid:pk>/rotate-secret/", organisation.WebhookRotateView.as_view(),
         name="organisation-webhook-rotate"),
    path("directory/", directory.DirectoryMapView.as_view(), name="directory"),
    path("directory/features.geojson", directory.DirectoryFeaturesView.as_view(), name="directory-features"),
    path("directory/countries.geojson", directory.CountryOutlinesView.as_view(), name="directory-countries"),
    path("directory/activities.geojson", directory_activities.DirectoryActivitiesView.as_view(),
         name="directory-activities"),
    path("statistics/", statistics.StatisticsView.as_view(), name="statistics"),
    path("statistics/export.csv", statistics.StatisticsExportView.as_view(), name="statistics-export"),
]
