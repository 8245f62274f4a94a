from django.conf import settings

from .navigation import COMING, menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_title": settings.MOFAN_NAV_TITLE}
    return {
        "site_title": settings.MOFAN_NAV_TITLE,
        "menu": menu_for(user),
        "coming_menu": COMING,
    }
