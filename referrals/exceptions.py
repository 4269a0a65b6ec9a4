"""The referral domain's own errors. Each names the HTTP status it stands for (`problem_status`)
and what the problem body adds (`problem_extra`), so the HTTP toolkit maps them without knowing
the domain."""

from typing import Any


class InvalidTransition(Exception):
    """The referral's current status does not allow the action (HTTP 409)."""

    problem_status = 409

    def __init__(self, referral, detail: str):
        self.current_status = referral.status
        super().__init__(detail)

    @property
    def problem_extra(self) -> dict[str, Any]:
        return {"current_status": self.current_status}


class StaleVersion(Exception):
    """The referral changed since the caller read it (HTTP 412)."""

    problem_status = 412
    problem_extra: dict[str, Any] = {}
