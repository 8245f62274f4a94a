"""Shared pieces of the REST API: pagination, the scoped base viewset and action error mapping.

Every API object goes through accounts.permissions, like the pages: a viewset lists and finds only
what ``restrict`` lets the user see (so other scopes' objects are 404), and the actions it calls
check the change permission themselves (so visible but unchangeable objects are 403).
"""

from contextlib import contextmanager

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def validation_detail(error: DjangoValidationError):
    """A Django ValidationError as DRF error detail: field errors by field, the rest as non-field errors."""
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


@contextmanager
def action_errors():
    """Runs an action; its ValidationError becomes a 400 with the field errors.

    Django's PermissionDenied needs no mapping: DRF already answers it with 403.
    """
    try:
        yield
    except DjangoValidationError as error:
        raise serializers.ValidationError(validation_detail(error)) from error


class ScopedViewSetMixin:
    """Put first in a GenericViewSet's bases: its queryset is always narrowed to what the user may see.

    Subclasses give ``base_queryset()``; they never override ``get_queryset``. (A mixin rather than
    a base viewset: this module holds the pagination class that DRF's generic views import, so it
    cannot import them itself.)
    """

    scope_action = "view"
    # PUT would have to replace every field; the pages and actions only ever change some.
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        from accounts.permissions import restrict

        return restrict(self.base_queryset(), self.request.user, self.scope_action)


class VisibleUnitField(serializers.PrimaryKeyRelatedField):
    """A unit chosen by id among the units the user can see.

    A unit outside the user's scope is refused exactly like one that does not exist, so ids do not
    reveal what lies beyond the scope.
    """

    def __init__(self, **kwargs):
        from organization.models import Unit

        kwargs.setdefault("queryset", Unit.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        from accounts.permissions import visible_units

        request = self.context.get("request")
        return visible_units(request.user if request else None)


class IdFilter(django_filters.NumberFilter):
    """A filter on an object id: whole numbers only. (A filter method's ``value: int`` hint tells
    the OpenAPI document it is an integer.)"""

    field_class = forms.IntegerField
