"""Request-level permission classes of the API that need to know the organisations: who may call
an endpoint at all. Object-level decisions live in each app's permissions module."""

from rest_framework.permissions import BasePermission

from organisations.permissions import is_platform_admin
from organisations.selectors import membership_of


class IsMemberOrPlatformStaff(BasePermission):
    """A member of an organisation, or a platform administrator."""

    message = "Only members of an organisation in the network may use this endpoint."

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user and user.is_authenticated and (is_platform_admin(user) or membership_of(user) is not None)
        )
