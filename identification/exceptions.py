"""Domain errors of screening forms; each names its HTTP status for the toolkit (problem_status)."""


class FormPublished(Exception):
    """A published screening form never changes (HTTP 409)."""

    problem_status = 409
    problem_extra = {"current_status": "published"}
