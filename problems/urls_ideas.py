"""The suggestion box (金点子), public feedback, and one step from a weakness or a notice to a problem."""

from django.urls import path

from . import feedback_views, origin_views, suggestion_views

urlpatterns = [
    path("suggestions/", suggestion_views.suggestion_list, name="suggestions"),
    path("suggestions/submit/", suggestion_views.suggestion_submit, name="suggestion_submit"),
    path("suggestions/mine/", suggestion_views.my_suggestions, name="my_suggestions"),
    path("suggestions/follow/", suggestion_views.suggestion_follow, name="suggestion_follow"),
    path("suggestions/board/", suggestion_views.suggestion_board, name="suggestion_board"),
    path("suggestions/<int:pk>/", suggestion_views.suggestion_detail, name="suggestion"),
    path("suggestions/<int:pk>/answer/", suggestion_views.suggestion_answer, name="suggestion_answer"),
    path("suggestions/<int:pk>/adopt/", suggestion_views.suggestion_adopt, name="suggestion_adopt"),
    path("suggestions/<int:pk>/decline/", suggestion_views.suggestion_decline, name="suggestion_decline"),
    path("suggestions/<int:pk>/to-problem/", suggestion_views.suggestion_to_problem, name="suggestion_to_problem"),
    path("suggestions/<int:pk>/to-task/", suggestion_views.suggestion_to_task, name="suggestion_to_task"),
    path("feedback/", feedback_views.feedback_list, name="feedbacks"),
    path("feedback/add/", feedback_views.feedback_add, name="feedback_add"),
    path("feedback/<int:pk>/", feedback_views.feedback_detail, name="feedback"),
    path("feedback/<int:pk>/reply/", feedback_views.feedback_reply, name="feedback_reply"),
    path("feedback/<int:pk>/to-problem/", feedback_views.feedback_to_problem, name="feedback_to_problem"),
    path("weaknesses/<int:pk>/to-problem/", origin_views.weakness_to_problem, name="weakness_to_problem"),
    path("notices/<int:pk>/to-problem/", origin_views.notice_to_problem, name="notice_to_problem"),
]
