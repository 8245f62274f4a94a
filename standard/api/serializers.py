"""Standards in the API: a list of versions, and one version with its whole tree of nodes."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import VisibleUnitField

from ..models import Node, Standard


class NodeSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    children = serializers.SerializerMethodField()

    class Meta:
        model = Node
        fields = [
            "id", "parent", "level", "level_display", "number", "title", "points", "method", "method_display",
            "per_occurrence", "levels", "guide", "evidence_required", "lead_department", "cadence", "children",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField(), help_text=_("The nodes under this one, same shape.")))
    def get_children(self, node):
        # The children were arranged by the view from one query (see StandardViewSet.retrieve).
        return NodeSerializer(getattr(node, "kids", []), many=True, context=self.context).data


class StandardSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id", "unit", "unit_name", "name", "version", "status", "status_display", "total_points", "note",
            "copied_from", "published_at", "item_count",
        ]
        read_only_fields = fields


class StandardTreeSerializer(StandardSerializer):
    dimensions = serializers.SerializerMethodField()

    class Meta(StandardSerializer.Meta):
        fields = [*StandardSerializer.Meta.fields, "dimensions"]
        read_only_fields = fields

    @extend_schema_field(NodeSerializer(many=True))
    def get_dimensions(self, standard):
        return NodeSerializer(getattr(standard, "dimensions", []), many=True, context=self.context).data


class StandardImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("An .xlsx file in the layout of the export."))
    unit = VisibleUnitField(help_text=_("The unit that owns the new draft."))
    name = serializers.CharField(required=False, allow_blank=True, help_text=_("Left empty, the name on the file is used."))
