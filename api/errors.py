"""Every error leaves the API as application/problem+json (RFC 9457): a title, the status, a
human-readable detail and, for invalid input, one entry per field saying what is wrong with it."""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler, set_rollback

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PATH_PREFIX = "/api/"


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = gettext_lazy("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "payload_too_large"


def _flatten(detail, prefix: str = "") -> list[dict]:
    """Turn DRF's nested error detail into a flat list of {"field", "message", "code"}."""
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            name = prefix if key in ("non_field_errors", "__all__") else (
                f"{prefix}.{key}" if prefix else str(key)
            )
            errors.extend(_flatten(value, name))
        return errors
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"field": prefix or None, "message": str(item), "code": getattr(item, "code", None)}
                    for item in detail]
        errors = []
        for index, item in enumerate(detail):
            if item:
                errors.extend(_flatten(item, f"{prefix}[{index}]" if prefix else f"[{index}]"))
        return errors
    return [{"field": prefix or None, "message": str(detail), "code": getattr(detail, "code", None)}]


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = gettext_lazy("The resource changed since you read it (If-Match does not match its ETag).")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = gettext_lazy(
        "Send If-Match with the ETag you read, so that no one else's change is overwritten."
    )
    default_code = "precondition_required"


class DomainProblem(exceptions.APIException):
    """A domain exception that names its own HTTP status (`problem_status`) and any members the
    problem body adds (`problem_extra`), e.g. a 409 with the referral's `current_status`."""

    def __init__(self, exc: Exception):
        self.status_code = exc.problem_status
        self.extra = dict(getattr(exc, "problem_extra", None) or {})
        super().__init__(detail=str(exc))


def _django_to_drf(exc):
    if isinstance(getattr(exc, "problem_status", None), int):
        return DomainProblem(exc)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return exceptions.ValidationError(detail=detail)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(detail=str(exc) or None)
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    return exc


# Problem titles in the reader's language; the English ones are Python's HTTP reason phrases.
TITLES = {
    400: gettext_lazy("Bad Request"),
    401: gettext_lazy("Unauthorized"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not Found"),
    405: gettext_lazy("Method Not Allowed"),
    406: gettext_lazy("Not Acceptable"),
    409: gettext_lazy("Conflict"),
    412: gettext_lazy("Precondition Failed"),
    413: gettext_lazy("Request Entity Too Large"),
    415: gettext_lazy("Unsupported Media Type"),
    422: gettext_lazy("Unprocessable Entity"),
    428: gettext_lazy("Precondition Required"),
    429: gettext_lazy("Too Many Requests"),
    500: gettext_lazy("Internal Server Error"),
}


def problem_title(status: int) -> str:
    return str(TITLES.get(status) or HTTPStatus(status).phrase)


def problem(status: int, detail: str, *, errors: list[dict] | None = None, **extra) -> dict:
    body = {
        "type": "about:blank",
        "title": problem_title(status),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def problem_exception_handler(exc, context):
    exc = _django_to_drf(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        fields = ", ".join(sorted({e["field"] for e in errors if e["field"]}))
        detail = (_("Invalid input: %(fields)s.") % {"fields": fields} if fields
                  else (errors[0]["message"] if errors else _("Invalid input.")))
        body = problem(response.status_code, detail, errors=errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        extra = getattr(exc, "extra", {}) or {}
        body = problem(response.status_code, str(detail), **extra)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_json_response(status: int, detail: str) -> JsonResponse:
    """For Django-level errors outside DRF views (unknown URLs, crashes)."""
    return JsonResponse(problem(status, detail), status=status, content_type=PROBLEM_CONTENT_TYPE)


def not_found_view(request, exception=None):
    return problem_json_response(404, _("Not found."))


@csrf_exempt  # a POST to no route is answered 404, not refused for its missing CSRF token (an HTML 403)
def api_not_found_view(request, *args, **kwargs):
    """Every path under the API that no route matches. Django answers those through handler404
    only when DEBUG is off; with DEBUG on (the demo, development) it renders its HTML debug page,
    which the schema does not document and which lists every route. Matched here, as a route of
    its own, the answer is the same problem in every setting."""
    detail = _("Not found.")
    if not request.path.endswith("/"):
        # Without this route a POST here would meet APPEND_SLASH: a redirect that drops the body
        # (a RuntimeError, 500, under DEBUG).
        detail = _("Not found. The API's paths end with a slash: %(path)s/") % {"path": request.path}
    return problem_json_response(404, detail)


class DjangoErrorsAsProblemsMiddleware:
    """Client errors under /api/ that Django renders itself, outside DRF, leave as problems too.
    Django answers a path no route matches through handler404 only when DEBUG is off: with DEBUG
    on (the demo, development) it renders its HTML debug page, which the schema does not document
    (and which lists every route). The same goes for its CSRF failure page on a non-DRF view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            400 <= response.status_code < 500
            and request.path.startswith(API_PATH_PREFIX)
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            detail = (_("Not found.") if response.status_code == 404
                      else HTTPStatus(response.status_code).description)
            replacement = problem_json_response(response.status_code, detail)
            for header in ("Allow", "Retry-After", "Vary"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response


def server_error_view(request):
    return problem_json_response(500, _("The server could not complete the request."))


def bad_request_view(request, exception=None):
    return problem_json_response(400, _("Bad request."))


def permission_denied_view(request, exception=None):
    return problem_json_response(403, _("You do not have permission to perform this action."))


ProblemSerializer = inline_serializer(
    name="Problem",
    fields={
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            required=False,
            child=inline_serializer(
                name="ProblemFieldError",
                fields={
                    "field": serializers.CharField(allow_null=True),
                    "message": serializers.CharField(),
                    "code": serializers.CharField(allow_null=True),
                },
            ),
        ),
        "current_status": serializers.CharField(required=False),
    },
)

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `errors` names each field and why.",
    401: "No valid credentials were sent.",
    403: "Authenticated, but this role may not do this.",
    404: "Not found, or not visible to you.",
    409: "The current state does not allow this.",
    412: "The resource changed since it was read (If-Match).",
    413: "The request body is too large.",
    415: "Unsupported media type.",
    422: "The Idempotency-Key was used with another body.",
    428: "If-Match is required.",
    429: "Too many requests: retry after the `Retry-After` header.",
}


def problem_responses(*statuses: int) -> dict:
    """OpenAPI entries for error statuses an operation can answer beyond the usual ones, which
    api.schema.AutoSchema adds to every operation."""
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            response=ProblemSerializer, description=ERROR_DESCRIPTIONS.get(status, HTTPStatus(status).phrase)
        )
        for status in statuses
    }
