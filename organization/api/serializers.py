"""Units in the API. Writes only parse input; the rules live in organization.actions."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import VisibleUnitField

from ..models import Unit, UnitKind


class UnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    # Annotated by the viewset (one subquery), so a page of units costs one query.
    parent = serializers.IntegerField(source="parent_pk", read_only=True, allow_null=True)
    children_count = serializers.IntegerField(source="numchild", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "kind_display",
            "is_active",
            "parent",
            "depth",
            "children_count",
        ]
        read_only_fields = fields


class UnitUpdateSerializer(serializers.Serializer):
    # Blank values reach the action, which gives the same message as the pages.
    name = serializers.CharField(allow_blank=True)
    code = serializers.CharField(allow_blank=True)
    short_name = serializers.CharField(allow_blank=True, required=False)
    kind = serializers.ChoiceField(choices=UnitKind.choices)


class UnitCreateSerializer(UnitUpdateSerializer):
    parent = VisibleUnitField(allow_null=True, help_text=_("The parent unit; null creates a top-level unit."))


class UnitMoveSerializer(serializers.Serializer):
    parent = VisibleUnitField(allow_null=True, help_text=_("The new parent unit; null makes it a top-level unit."))
