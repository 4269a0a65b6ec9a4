"""Refusals by the services, as people read them: the message and the status the API would give
(403, 404, 409, 412, 400), never a 500 or a blank page."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

# What a refused person is told, besides the service's own words.
REFUSAL_TYPES = (PermissionDenied, ValidationError, Http404, ObjectDoesNotExist)


def is_refusal(error: Exception) -> bool:
    return isinstance(error, REFUSAL_TYPES) or isinstance(getattr(error, "problem_status", None), int)


def refusal_status(error: Exception) -> int:
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, ValidationError):
        return 400
    if isinstance(error, Http404 | ObjectDoesNotExist):
        return 404
    return error.problem_status


def refusal_messages(error: Exception) -> list[str]:
    """`ValidationError({"notes": "..."})` -> ["Notes: ..."]; anything else: its own message."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [f"{field.replace('_', ' ').capitalize()}: {message}" if field != "__all__" else message
                    for field, messages in error.message_dict.items() for message in messages]
        return list(error.messages)
    return [str(error) or _("This action is not possible.")]


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": list(error.messages)}
