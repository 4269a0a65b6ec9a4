"""Request-level permission classes of the API: who may call an endpoint at all. Other apps' API
packages build on them; what a caller may see or do with each object is `restrict` (see
organisations.permissions and api.viewsets.RestrictedViewSet)."""

from rest_framework.permissions import BasePermission

from organisations import permissions


class IsMemberOrPlatformStaff(BasePermission):
    """A member of an organisation, or a platform administrator."""

    message = "Only members of an organisation in the network may use this endpoint."

    def has_permission(self, request, view):
        return permissions.is_network_user(request.user)
