"""OpenAPI generation: every operation documents the problem+json errors it can answer."""

from drf_spectacular import openapi
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny

from .errors import ERROR_DESCRIPTIONS, PROBLEM_CONTENT_TYPE, ProblemSerializer

PAGE_NOT_FOUND = "No such page: `page` is not a page number, or is past the last page."
CURSOR_NOT_FOUND = "No such page: `cursor` is not one this API gave out."
FORMAT_NOT_FOUND = "There is no rendering in the `format` asked for."


class AutoSchema(openapi.AutoSchema):
    def _is_paginated(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def _takes_format(self) -> bool:
        return any(getattr(parameter, "name", None) == "format" for parameter in self.get_override_parameters())

    def _expected_error_statuses(self) -> set[int]:
        statuses = {429}
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not public:
            statuses |= {401, 403}
        if "{" in self.path or self._is_paginated() or self._takes_format():
            # A paginated list answers 404 for a page that does not exist (DRF's pagination), and
            # any view 404 for a `format` it has no renderer for (DRF's content negotiation).
            statuses.add(404)
        if self.method in ("POST", "PUT", "PATCH") or getattr(self.view, "filterset_class", None) or (
            self.get_override_parameters()
        ):
            statuses.add(400)
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.add(413)
        return statuses

    def _error_description(self, status: int) -> str:
        if status == 404 and "{" not in self.path:
            if self._takes_format():
                return FORMAT_NOT_FOUND
            cursor = isinstance(self._get_paginator(), CursorPagination)
            return CURSOR_NOT_FOUND if cursor else PAGE_NOT_FOUND
        return ERROR_DESCRIPTIONS[status]

    def _get_filter_parameters(self):
        """django-filter's `max_length` (a CharFilter's form field limit, answered with 400) is not
        carried into the schema by drf-spectacular: add it as maxLength."""
        parameters = super()._get_filter_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = getattr(filterset_class, "base_filters", {})
        for parameter in parameters:
            if not isinstance(parameter, dict) or parameter.get("in") != "query":
                continue
            filter_field = filters.get(parameter.get("name"))
            max_length = getattr(filter_field, "extra", {}).get("max_length")
            schema = parameter.get("schema", {})
            if max_length and schema.get("type") == "string":
                schema["maxLength"] = max_length
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        for status in sorted(self._expected_error_statuses()):
            if str(status) in responses:
                continue
            response = self._get_response_for_code(
                ProblemSerializer, str(status), media_types=[PROBLEM_CONTENT_TYPE]
            )
            response["description"] = self._error_description(status)
            responses[str(status)] = response
        return responses


class TokenScheme(KnoxTokenScheme):
    """Our knox subclass authenticates exactly as knox does: `Authorization: Token <token>`."""

    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"
