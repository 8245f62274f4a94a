from rest_framework.routers import SimpleRouter

from .views import AppealViewSet, ItemScoreViewSet, RoundViewSet, ScorecardViewSet

router = SimpleRouter()
router.register("rounds", RoundViewSet, basename="round")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("item-scores", ItemScoreViewSet, basename="itemscore")
router.register("appeals", AppealViewSet, basename="appeal")

urlpatterns = router.urls
