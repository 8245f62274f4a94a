"""Supervision notices and the ledger, and a plan's task list as .xlsx."""

from django.urls import path

from . import sheet_views, supervision_views

urlpatterns = [
    path("notices/", supervision_views.notice_list, name="notices"),
    path("notices/ledger.xlsx", supervision_views.notices_xlsx, name="notices_xlsx"),
    path("notices/issue/", supervision_views.notice_issue, name="notice_issue"),
    path("notices/<int:pk>/", supervision_views.notice_detail, name="notice"),
    path("notices/<int:pk>/reply/", supervision_views.notice_reply, name="notice_reply"),
    path("notices/<int:pk>/close/", supervision_views.notice_close, name="notice_close"),
    path("notices/<int:pk>/escalate/", supervision_views.notice_escalate, name="notice_escalate"),
    path("plans/<int:pk>/tasks.xlsx", sheet_views.plan_tasks_xlsx, name="plan_tasks_xlsx"),
    path("plans/<int:pk>/tasks/import/", sheet_views.plan_tasks_import, name="plan_tasks_import"),
]
