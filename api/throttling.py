from rest_framework.throttling import SimpleRateThrottle


class IPRateThrottle(SimpleRateThrottle):
    """Per client address, for every caller, signed in or not: one token cannot be rotated through
    many accounts from one place, nor many tokens used to multiply one's budget."""

    scope = "ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
