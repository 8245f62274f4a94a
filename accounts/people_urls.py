from django.urls import path

from . import people_views as views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("add/", views.person_create, name="create"),
    path("import/", views.person_import, name="import"),
    path("export.xlsx", views.person_export, name="export"),
    path("template.xlsx", views.roster_template, name="template"),
    path("grants/", views.grant_list, name="grants"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/enable/", views.person_set_active, {"active": True}, name="enable"),
    path("<int:pk>/disable/", views.person_set_active, {"active": False}, name="disable"),
    path("<int:pk>/grant/", views.grant_create, name="grant"),
    path("<int:pk>/password/", views.person_issue_password, name="issue_password"),
]
