"""OpenAPI: the gated authentication classes authenticate as the ones they extend (imported by
AccountsConfig.ready, which registers them)."""

from drf_spectacular.authentication import SessionScheme as SpectacularSessionScheme

from api.schema import TokenScheme as ToolkitTokenScheme


class TokenScheme(ToolkitTokenScheme):
    target_class = "accounts.api.authentication.TokenAuthentication"


class SessionScheme(SpectacularSessionScheme):
    target_class = "accounts.api.authentication.SessionAuthentication"
