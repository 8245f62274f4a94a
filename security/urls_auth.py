from django.urls import path

from . import auth_views

urlpatterns = [
    path("password/", auth_views.password_change, name="password_change"),
    path("lockouts/", auth_views.lockout_list, name="lockout_list"),
    path("lockouts/unlock/", auth_views.lockout_unlock, name="lockout_unlock"),
    path("sessions/", auth_views.session_list, name="session_list"),
    path("sessions/<int:pk>/", auth_views.session_person, name="session_person"),
    path("sessions/<int:pk>/end/", auth_views.session_end, name="session_end"),
]
