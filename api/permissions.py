"""Request-level permission classes. Object-level decisions live in the domain apps' selectors and
permission modules; these only say who may call an endpoint at all."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from organisations.selectors import membership_of


def is_platform_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class IsMemberOrPlatformStaff(BasePermission):
    """A member of an organisation, or a platform administrator."""

    message = "Only members of an organisation in the network may use this endpoint."

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user and user.is_authenticated and (is_platform_admin(user) or membership_of(user) is not None)
        )


class IsPlatformAdminOrReadOnly(IsMemberOrPlatformStaff):
    message = "Only platform administrators may change this."

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or is_platform_admin(request.user)
