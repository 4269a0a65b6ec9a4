"""Who may do what with the geography: the one place that decides it.

Administrative areas are open data inside the network: who may call the API at all is the
endpoint's permission class (a member or a platform administrator); every area is readable, and
none is written through the API (boundaries come from `manage.py load_boundaries`)."""

from django.db.models import QuerySet


def restrict_areas(queryset: QuerySet, user, action: str) -> QuerySet:
    if action == "view":
        return queryset if user is not None and user.is_authenticated else queryset.none()
    if action in {"add", "change", "delete"}:
        return queryset.none()
    raise ValueError(f"unknown action {action!r}")
