from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token authentication (hashed, expiring, revocable tokens), answering a token that is
    not even text with 401 like any other invalid token, instead of failing to decode it, and
    reading one row per request (see _cleanup_token)."""

    def authenticate_credentials(self, token):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        """Judge the presented token only: an expired one is refused. knox would also read every
        other token of the user, on every request, and delete the expired ones inside the
        request's transaction (which a refused request rolls back);
        accounts.tasks.purge_expired_tokens deletes them hourly instead."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        token_expired.send(sender=self.__class__, username=auth_token.user.get_username(), source="auth_token")
        return True
