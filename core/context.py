"""Who is acting, from where, in this request or command (read by the audit trail)."""

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings


@dataclass
class Actor:
    """The acting user is read late: API token authentication happens after the middleware."""

    request: object = None
    user: object = None
    ip: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    source: str = "system"  # "web", "api", "command" or "system"

    def current_user(self):
        user = self.user
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_current = contextvars.ContextVar("mofan_actor", default=None)


def current_actor() -> Actor:
    return _current.get() or Actor()


@contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def client_ip(request) -> str | None:
    if settings.MOFAN_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The rightmost entry is the one our own proxy added; earlier ones are client-supplied.
            return forwarded.split(",")[-1].strip()[:45]
    return request.META.get("REMOTE_ADDR")
