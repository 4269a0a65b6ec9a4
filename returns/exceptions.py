"""Domain errors of returns, carrying their HTTP status like referrals.exceptions."""


class InvalidReturnStep(Exception):
    """The return's current status does not allow the step (HTTP 409, with `current_status`)."""

    problem_status = 409

    def __init__(self, case, detail: str):
        self.current_status = case.status
        self.problem_extra = {"current_status": case.status}
        super().__init__(detail)
