from rest_framework.permissions import BasePermission

from organisations.permissions import may_manage_webhooks


class MayManageWebhooks(BasePermission):
    """Webhooks are for the admins of an organisation who may manage them: 403 to everyone else,
    before any subscription is looked up."""

    message = "Only an organisation's admins manage its webhooks."

    def has_permission(self, request, view):
        return may_manage_webhooks(request.user)
