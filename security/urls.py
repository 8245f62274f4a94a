"""Security pages, one URL module per area, all under the ``security`` namespace."""

from . import urls_auth, urls_compliance, urls_otp

app_name = "security"
urlpatterns = [*urls_auth.urlpatterns, *urls_otp.urlpatterns, *urls_compliance.urlpatterns]
