"""The organisation admin pages, the statistics and the directory map (filled in by their own part
of the console)."""

urlpatterns: list = []
