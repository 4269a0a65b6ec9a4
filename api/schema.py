"""OpenAPI generation: every operation documents the problem+json errors it can answer."""

from drf_spectacular import openapi
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from rest_framework.permissions import AllowAny

from .errors import ERROR_DESCRIPTIONS, PROBLEM_CONTENT_TYPE, ProblemSerializer


class AutoSchema(openapi.AutoSchema):
    def _expected_error_statuses(self) -> set[int]:
        statuses = {429}
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not public:
            statuses |= {401, 403}
        if "{" in self.path:
            statuses.add(404)
        if self.method in ("POST", "PUT", "PATCH") or getattr(self.view, "filterset_class", None) or (
            self.get_override_parameters()
        ):
            statuses.add(400)
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.add(413)
        return statuses

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
            response["description"] = ERROR_DESCRIPTIONS[status]
            responses[str(status)] = response
        return responses


class TokenScheme(KnoxTokenScheme):
    """Our knox subclass authenticates exactly as knox does: `Authorization: Token <token>`."""

    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"
