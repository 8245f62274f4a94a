from rest_framework.routers import SimpleRouter

from .notice_views import NoticeViewSet
from .task_views import ReportViewSet, TaskViewSet
from .views import PlanViewSet

router = SimpleRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("tasks", TaskViewSet, basename="task")
router.register("progress-reports", ReportViewSet, basename="progressreport")
router.register("supervision-notices", NoticeViewSet, basename="supervisionnotice")

urlpatterns = router.urls
