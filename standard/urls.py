from django.urls import path

from . import views

app_name = "standard"
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("add/", views.create, name="create"),
    path("import/", views.import_file, name="import"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/nodes/add/", views.node_add, name="node_add"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/new-version/", views.copy, name="new_version"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/import/", views.import_file, name="replace"),
    path("<int:pk>/export.xlsx", views.export_file, name="export"),
    path("nodes/<int:pk>/edit/", views.node_edit, name="node_edit"),
    path("nodes/<int:pk>/delete/", views.node_delete, name="node_delete"),
]
