from django.urls import path

from . import otp_views

urlpatterns = [
    path("otp/", otp_views.status, name="otp_status"),
    path("otp/enrol/", otp_views.enrol, name="otp_enrol"),
    path("otp/verify/", otp_views.verify, name="otp_verify"),
    path("otp/codes/", otp_views.codes, name="otp_codes"),
    path("otp/people/", otp_views.people, name="otp_people"),
    path("otp/people/<int:pk>/reset/", otp_views.reset, name="otp_reset"),
]
