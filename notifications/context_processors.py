from django.utils.functional import SimpleLazyObject

from .models import Message


def inbox(request):
    """The unread count of the top bar: one query, and only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: Message.objects.filter(recipient=user, read_at__isnull=True).count())}
