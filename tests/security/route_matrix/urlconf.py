"""Every route of the URL configuration and the methods its view serves."""

import re
from collections.abc import Iterator

from django.urls import URLResolver, get_resolver

from .declarations import GROUPED, IMPLICIT_METHODS


def readable(route: str) -> str:
    """`api/v1/^referrals/(?P<pk>[^/.]+)/$` -> `/api/v1/referrals/{pk}/`; `<path:object_id>` -> `{object_id}`."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return "/" + route.replace("^", "").replace("$", "")


def served_methods(pattern) -> set[str]:
    """The methods the route's view answers: a DRF viewset route's actions (as far as the viewset's
    http_method_names allow), a class-based view's handlers, GET for a function view."""
    callback = pattern.callback
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    actions = getattr(callback, "actions", None)
    if actions:
        names = set(actions) & set(view_class.http_method_names)
    elif view_class is not None:
        names = {name for name in view_class.http_method_names if hasattr(view_class, name)}
    else:
        names = {"get"}
    return {name.upper() for name in names} - IMPLICIT_METHODS


def url_conf() -> dict[str, set[str]]:
    """Every route of the URL configuration -> the methods its view serves."""

    def walk(patterns, prefix: str = "") -> Iterator[tuple[str, object]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    routes: dict[str, set[str]] = {}
    for route, pattern in walk(get_resolver().url_patterns):
        routes.setdefault(readable(route), set()).update(served_methods(pattern))
    return routes


def grouped(route: str) -> bool:
    return any(route.startswith(prefix) for prefix in GROUPED)
