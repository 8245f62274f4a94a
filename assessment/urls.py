from django.urls import path

from . import component_views, dashboard_views, round_views, scorecard_views

app_name = "assessment"
urlpatterns = [
    path("", round_views.round_list, name="rounds"),
    path("rounds/add/", round_views.round_create, name="round_create"),
    path("rounds/<int:pk>/", round_views.round_detail, name="round"),
    path("rounds/<int:pk>/edit/", round_views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/grades/", round_views.grades, name="grades"),
    path("rounds/<int:pk>/components/", round_views.components, name="components"),
    path("rounds/<int:pk>/conditions/", round_views.conditions, name="conditions"),
    path("rounds/<int:pk>/conditions/<int:condition_pk>/remove/", round_views.condition_remove, name="condition_remove"),
    path("rounds/<int:pk>/units/", round_views.add_units, name="add_units"),
    path("rounds/<int:pk>/component-scores/", component_views.component_scores, name="component_scores"),
    path("rounds/<int:pk>/open/", round_views.open_round, name="open"),
    path("rounds/<int:pk>/publish/", round_views.publish, name="publish"),
    path("rounds/<int:pk>/dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("rounds/<int:pk>/results.xlsx", dashboard_views.export_xlsx, name="export_xlsx"),
    path("scorecards/<int:pk>/", scorecard_views.scorecard, name="scorecard"),
    path("scorecards/<int:pk>/submit/", scorecard_views.submit, name="submit"),
    path("scorecards/<int:pk>/return/", scorecard_views.return_card, name="return"),
    path("scorecards/<int:pk>/complete/", scorecard_views.complete, name="complete"),
    path("scorecards/<int:pk>/appeal/", scorecard_views.appeal, name="appeal"),
    path("scorecards/<int:pk>/score-sheet.docx", dashboard_views.export_docx, name="export_docx"),
    path("items/<int:pk>/self/", scorecard_views.save_self, name="save_self"),
    path("items/<int:pk>/review/", scorecard_views.save_review, name="save_review"),
    path("appeals/<int:pk>/answer/", scorecard_views.answer_appeal, name="answer_appeal"),
]
