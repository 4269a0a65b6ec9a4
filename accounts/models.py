"""What a person keeps about themselves: the language and time zone they read the network in.

One profile per user, created the first time it is changed (a user without one reads with the
defaults). Language codes and time zones are checked by accounts.services, not by choices on the
field: the list of languages is a setting and grows without a migration."""

from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    language = models.CharField(max_length=10, default="en", help_text="A code of settings.LANGUAGES.")
    time_zone = models.CharField(max_length=64, default="UTC", help_text="An IANA time zone name.")
    updated = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"profile of {self.user_id}"
