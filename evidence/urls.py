from django.urls import path

from . import export_views, views, visit_views

app_name = "evidence"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("upload/", views.upload, name="upload"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/edit/", views.edit, name="edit"),
    path("documents/<int:pk>/versions/", views.new_version, name="new_version"),
    path("documents/<int:pk>/links/", views.link, name="link"),
    path("links/<int:pk>/remove/", views.unlink, name="unlink"),
    path("versions/<int:pk>/download/", views.download, name="download"),
    path("versions/<int:pk>/preview/", views.preview, name="preview"),
    path("inspections/", visit_views.visit_list, name="visits"),
    path("inspections/new/", visit_views.visit_create, name="visit_create"),
    path("inspections/<int:pk>/", visit_views.visit_detail, name="visit_detail"),
    path("inspections/<int:pk>/end/", visit_views.visit_end, name="visit_end"),
    path("export/", export_views.start, name="export"),
    path("exports/<int:pk>/", export_views.status, name="export_status"),
    path("exports/<int:pk>/download/", export_views.download, name="export_download"),
]
