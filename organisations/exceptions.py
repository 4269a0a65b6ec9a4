"""Domain errors of the directory. Each carries the HTTP status it maps to (`problem_status`) and
extra members of the problem+json body (`problem_extra`), so the HTTP toolkit maps them without
knowing this app."""

from django.utils.translation import gettext as _


class NoFreeBeds(Exception):
    """The shelter has no free bed left to hold (HTTP 409)."""

    problem_status = 409

    def __init__(self, facility_id):
        self.problem_extra = {"capacity_available": 0, "facility": facility_id}
        super().__init__(_("This shelter has no free beds: update its capacity, or accept without it."))
