"""Domain errors of the referral lifecycle. Each carries the HTTP status it maps to
(`problem_status`) and extra members of the problem+json body (`problem_extra`), so the HTTP
toolkit maps them without knowing this app."""

from .models import Referral


class InvalidTransition(Exception):
    """The referral's current status does not allow the action (HTTP 409)."""

    problem_status = 409

    def __init__(self, referral: Referral, detail: str):
        self.current_status = referral.status
        self.problem_extra = {"current_status": referral.status}
        super().__init__(detail)


class StaleVersion(Exception):
    """The referral changed since the caller read it (HTTP 412)."""

    problem_status = 412
    problem_extra: dict = {}
