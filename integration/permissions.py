"""Who may touch a webhook subscription: the admins of its organisation who hold the
`manage_webhooks` capability (organisations.permissions decides that), for every action."""

from organisations.permissions import may_manage_webhooks
from organisations.selectors import membership_of


def restrict_subscriptions(queryset, user, action: str = "view"):
    """The subscriptions `user` may `action` (view, add, change, delete): their own
    organisation's, if they may manage its webhooks; none otherwise."""
    if not may_manage_webhooks(user):
        return queryset.none()
    return queryset.filter(organisation_id=membership_of(user).organisation_id)
