from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

api_v1 = [
    path("", include("organization.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("evidence.api.urls")),
    path("", include("assessment.api.urls")),
    path("", include("standard.api.urls")),
    path("", include("goals.api.urls")),
    path("", include("problems.api.urls")),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:openapi"), name="docs"),
]

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("units/", include("organization.urls")),
    path("people/", include("accounts.people_urls")),
    path("audit/", include("audit.urls")),
    path("evidence/", include("evidence.urls")),
    path("assessment/", include("assessment.urls")),
    path("standard/", include("standard.urls")),
    path("goals/", include("goals.urls")),
    path("security/", include("security.urls")),
    path("problems/", include("problems.urls")),
    path("inbox/", include("notifications.urls")),
    path("api/v1/", include((api_v1, "api"))),
]
