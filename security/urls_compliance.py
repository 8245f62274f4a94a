from django.urls import path

from . import compliance_views

urlpatterns = [
    path("compliance/", compliance_views.compliance_page, name="compliance"),
]
