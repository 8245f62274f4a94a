from rest_framework.routers import SimpleRouter

from .idea_views import FeedbackViewSet, SuggestionViewSet
from .views import MeasureViewSet, ProblemViewSet

router = SimpleRouter()
router.register("problems", ProblemViewSet, basename="problem")
router.register("measures", MeasureViewSet, basename="measure")
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register("feedback", FeedbackViewSet, basename="feedback")

urlpatterns = router.urls
