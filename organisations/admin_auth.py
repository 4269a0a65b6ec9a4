"""The admin of accounts, groups and tokens: nobody, superusers included, gets into an organisation
through it.

An organisation's rights are its role groups' (organisations.permissions): whoever is in the
police agency's caseworker group reads the police agency's referrals. So the admin never changes
who is in which group, nor what a role group holds, nor anyone's superuser flag or single
permissions: members come and go, and change role, only through the members service
(`/api/v1/organisations/{id}/members/`). A member's account is read-only here as a whole (a
password set here would be a way to sign in as them), and no account is deleted (deactivate it:
the audit trail keeps who did what). Tokens are listed and revoked, never created: a token minted
for someone else is their identity.

Each rule is an override of the admin's own permission checks (has_*_permission,
get_readonly_fields), which the admin asks whatever the user's flags: `is_superuser` only ever
widens the model permissions, never these."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from knox.models import AuthToken

from .models import RoleGroup
from .selectors import membership_of

User = get_user_model()


def is_role_group(group) -> bool:
    return group is not None and RoleGroup.objects.filter(group=group).exists()


admin.site.unregister(Group)


@admin.register(Group)
class NetworkGroupAdmin(GroupAdmin):
    """Groups other than the organisations' role groups (analysts, say) are kept here as usual;
    a role group is read-only and never deleted (its organisation's rights hang on it)."""

    list_display = ["name", "organisation_role"]

    @admin.display(description="organisation role")
    def organisation_role(self, group) -> str:
        role_group = RoleGroup.objects.select_related("organisation").filter(group=group).first()
        return str(role_group) if role_group else "-"

    def get_readonly_fields(self, request, obj=None):
        if is_role_group(obj):
            return ("name", "permissions")
        return super().get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return not is_role_group(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Deleting from the list ("delete selected") asks without an object and would take role
        # groups with it: only one group at a time, from its own page.
        return obj is not None and not is_role_group(obj) and super().has_delete_permission(request, obj)


# Never written in the admin, on any account: who is in which group, single permissions and the
# superuser flag (each would hand out an organisation's rights).
ACCESS_FIELDS = ("is_superuser", "groups", "user_permissions")


admin.site.unregister(User)


@admin.register(User)
class NetworkUserAdmin(UserAdmin):
    list_display = ["username", "email", "organisation", "is_active", "is_staff"]

    @admin.display(description="organisation")
    def organisation(self, user) -> str:
        membership = membership_of(user)
        return f"{membership.organisation} ({membership.role})" if membership else "-"

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is None:  # the add form (username and password) has none of them
            return readonly
        return (*readonly, *(name for name in (*ACCESS_FIELDS, "last_login", "date_joined") if name not in readonly))

    def has_change_permission(self, request, obj=None):
        # A member's account is theirs and their organisation's (the members service).
        if obj is not None and membership_of(obj) is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    """Who holds a token, since when and until when; deleting one revokes it."""

    list_display = ["user", "created", "expiry"]
    fields = readonly_fields = ["user", "created", "expiry"]
    search_fields = ["user__username"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
