"""The admin shows who has two-factor on and can remove a device (a lost phone), but never a
device's secret or its QR code: with them, whoever reads the admin would hold everyone's second
factor. django-otp's own TOTP admin (which shows both) is replaced."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # a device is enrolled by its owner, with the secret only their app learns

    def has_change_permission(self, request, obj=None):
        return False
