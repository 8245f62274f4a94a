from django.urls import path

from . import views

app_name = "organization"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("add/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/move-up/", views.reorder, {"direction": "up"}, name="move_up"),
    path("<int:pk>/move-down/", views.reorder, {"direction": "down"}, name="move_down"),
    path("<int:pk>/deactivate/", views.set_active, {"active": False}, name="deactivate"),
    path("<int:pk>/reactivate/", views.set_active, {"active": True}, name="reactivate"),
    path("<int:pk>/leading-group/", views.leading_group, name="leading_group"),
    path("<int:pk>/leading-group/<int:member_pk>/remove/", views.remove_member, name="remove_member"),
]
