"""The one base viewset every endpoint of the API builds on, so that none can forget authorisation.

As NetBox does it: the HTTP method (or the action a view declares for an extra route) names an
action, and every read goes through the model's `QuerySet.restrict(user, action)`, which the
domain app's `permissions.py` implements. The toolkit knows no domain: it only calls `restrict`.

- Reads (`view`) see only what `restrict(user, "view")` returns; anything else answers 404, as if
  it did not exist.
- Acting on an object one may see but not act on (`change`, `delete`, or an extra action's name)
  answers 403.
- After a create or update, the saved object must still lie inside `restrict(user, action)`; if
  it does not (say, a facility moved to an organisation the user does not manage), the write is
  rolled back and the answer is 403.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

ACTION_OF_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class RestrictedViewSet(viewsets.GenericViewSet):
    """Subclasses give `queryset` (or `get_base_queryset()`) unrestricted; this class restricts it.

    `restrict_actions` maps a view action (e.g. `"accept"`) to the permission action it needs on
    the object, when that is not the one its HTTP method implies (a POST to `rotate-secret`
    changes the subscription: `{"rotate_secret": "change"}`). `denied_message` is the 403 text."""

    restrict_actions: dict[str, str] = {}
    denied_message = gettext_lazy("Your role may not do this.")

    def __init_subclass__(cls, **kwargs):
        """DRF's mixins define perform_create and perform_update too: listed before this class,
        they would silently skip the check after a write."""
        super().__init_subclass__(**kwargs)
        for name in ("perform_create", "perform_update"):
            owner = next(klass for klass in cls.__mro__ if name in vars(klass))
            if owner.__module__ == "rest_framework.mixins":
                raise TypeError(f"{cls.__name__}: list RestrictedViewSet before DRF's mixins ({name})")

    def get_base_queryset(self):
        return self.queryset.all()

    @property
    def permission_action(self) -> str:
        if self.action in self.restrict_actions:
            return self.restrict_actions[self.action]
        return ACTION_OF_METHOD.get(self.request.method, "view")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.get_base_queryset().none()
        return self.get_base_queryset().restrict(self.request.user, "view")

    def get_object(self):
        obj = super().get_object()  # 404 unless the user may see it
        action = self.permission_action
        if action != "view" and not self._may(obj, action):
            raise PermissionDenied(self.denied_message)
        return obj

    def _may(self, obj, action: str) -> bool:
        return self.get_base_queryset().restrict(self.request.user, action).filter(pk=obj.pk).exists()

    def _saved_within_reach(self, save, serializer) -> None:
        """Run the write; roll it back unless the saved object is one the user may `action`."""
        with transaction.atomic():
            save(serializer)
            if not self._may(serializer.instance, self.permission_action):
                raise PermissionDenied(self.denied_message)

    def perform_create(self, serializer):
        self._saved_within_reach(self.create_object, serializer)

    def perform_update(self, serializer):
        self._saved_within_reach(self.update_object, serializer)

    def create_object(self, serializer):
        serializer.save()

    def update_object(self, serializer):
        serializer.save()
