from django.conf import settings

from .errors import problem_json_response


class RequestSizeLimitMiddleware:
    """Refuse a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE with 413 before anything reads it.
    Django enforces that limit only when request.body is read; DRF's parsers read the stream."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problem_json_response(400, "Content-Length is not a number.")
        if limit is not None and length > limit:
            return problem_json_response(413, f"The request body is larger than {limit} bytes.")
        return self.get_response(request)
