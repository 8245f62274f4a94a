"""Plans, goals, tasks, milestones and progress reports."""

from django.urls import path

from . import plan_views, task_views

urlpatterns = [
    path("", plan_views.plan_list, name="plans"),
    path("plans/new/", plan_views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/approve/", plan_views.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/publish/", plan_views.plan_publish, name="plan_publish"),
    path("plans/<int:pk>/goals/new/", plan_views.goal_create, name="goal_create"),
    path("goals/<int:pk>/edit/", plan_views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/tasks/new/", task_views.task_create, name="task_create"),
    path("tasks/<int:pk>/", task_views.task_detail, name="task"),
    path("tasks/<int:pk>/sign/", task_views.task_sign, name="task_sign"),
    path("tasks/<int:pk>/decline/", task_views.task_decline, name="task_decline"),
    path("tasks/<int:pk>/reassign/", task_views.task_reassign, name="task_reassign"),
    path("tasks/<int:pk>/withdraw/", task_views.task_withdraw, name="task_withdraw"),
    path("tasks/<int:pk>/reschedule/", task_views.task_reschedule, name="task_reschedule"),
    path("tasks/<int:pk>/milestones/new/", task_views.milestone_create, name="milestone_create"),
    path("tasks/<int:pk>/reports/new/", task_views.report_create, name="report_create"),
    path("tasks/<int:pk>/evidence/", task_views.task_evidence, name="task_evidence"),
    path("reports/<int:pk>/accept/", task_views.report_accept, name="report_accept"),
    path("reports/<int:pk>/return/", task_views.report_return, name="report_return"),
]
