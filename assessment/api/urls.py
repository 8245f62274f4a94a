from rest_framework.routers import SimpleRouter

from .views import ItemScoreViewSet, RoundViewSet, ScorecardViewSet

router = SimpleRouter()
router.register("rounds", RoundViewSet, basename="round")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("item-scores", ItemScoreViewSet, basename="itemscore")

urlpatterns = router.urls
