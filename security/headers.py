"""No copy of a page with personal data stays in a browser's or proxy's cache.

The rule is deliberately simple: every response to a logged-in session and every API response is
sent with ``Cache-Control: no-store`` (almost every page shows people, units' work or the user's
own inbox, so a list of "personal" pages would only be a list to forget to update). Static files
are served before this middleware (WhiteNoise) and stay cacheable; the anonymous login page is
cacheable too. Install after AuthenticationMiddleware.
"""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path_info.startswith("/api/"):
            add_never_cache_headers(response)
        return response
