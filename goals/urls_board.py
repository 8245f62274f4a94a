"""The overview pages: my tasks, the task board of a unit, a plan's Gantt timeline and dashboard."""

from django.urls import path

from . import board_views, dashboard_views

urlpatterns = [
    path("mine/", board_views.my_tasks, name="my_tasks"),
    path("board/", board_views.board, name="board"),
    path("plans/<int:pk>/gantt/", dashboard_views.gantt, name="gantt"),
    path("plans/<int:pk>/dashboard/", dashboard_views.plan_dashboard, name="dashboard"),
]
