from rest_framework.routers import SimpleRouter

from .views import DocumentViewSet, LinkViewSet, VersionViewSet

router = SimpleRouter()
router.register("documents", DocumentViewSet, basename="document")
router.register("versions", VersionViewSet, basename="version")
router.register("links", LinkViewSet, basename="link")

urlpatterns = router.urls
