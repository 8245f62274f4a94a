"""Problems and rectification: the ledger (整改台账) and its .xlsx, the dashboard, a problem's page and its steps."""

from django.urls import path

from . import dashboard_views, problem_views

urlpatterns = [
    path("", problem_views.problem_list, name="problems"),
    path("ledger.xlsx", problem_views.ledger_xlsx, name="ledger_xlsx"),
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("add/", problem_views.problem_add, name="problem_add"),
    path("<int:pk>/", problem_views.problem_detail, name="problem"),
    path("<int:pk>/analyse/", problem_views.problem_analyse, name="problem_analyse"),
    path("<int:pk>/measures/add/", problem_views.measure_add, name="measure_add"),
    path("<int:pk>/submit/", problem_views.problem_submit, name="problem_submit"),
    path("<int:pk>/sign-off/", problem_views.problem_sign_off, name="problem_sign_off"),
    path("<int:pk>/send-back/", problem_views.problem_send_back, name="problem_send_back"),
    path("<int:pk>/evidence/", problem_views.problem_evidence, name="problem_evidence"),
    path("measures/<int:pk>/progress/", problem_views.measure_progress, name="measure_progress"),
]
