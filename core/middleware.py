import re
import uuid

from .context import Actor, acting_as, client_ip

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Binds the request, client address and a request id for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        actor = Actor(
            request=request,
            ip=client_ip(request),
            request_id=request.request_id,
            source="api" if request.path.startswith("/api/") else "web",
        )
        with acting_as(actor):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
