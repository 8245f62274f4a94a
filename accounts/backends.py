from django.contrib.auth.backends import ModelBackend


class MofanBackend(ModelBackend):
    """Loads the user's unit with the user, so the permission layer needs no extra query for it.

    Django's own permission tables are not used: permissions come from roles (accounts.permissions).
    """

    def get_user(self, user_id):
        user = self._user_model().objects.select_related("unit").filter(pk=user_id).first()
        return user if user and self.user_can_authenticate(user) else None

    def _user_model(self):
        from django.contrib.auth import get_user_model

        return get_user_model()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def get_all_permissions(self, user_obj, obj=None):
        return set()
