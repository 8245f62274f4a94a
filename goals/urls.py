"""The goal-management pages, one URL module per area, all under the ``goals`` namespace."""

from . import urls_board, urls_plans, urls_supervision

app_name = "goals"
urlpatterns = [*urls_plans.urlpatterns, *urls_board.urlpatterns, *urls_supervision.urlpatterns]
