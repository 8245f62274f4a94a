"""Documents and links in the API. Writes only parse input; the rules live in evidence.actions."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import permissions
from accounts.roles import DOCUMENT_VIEW
from core.api import VisibleUnitField

from .. import links
from ..models import Document, DocumentVersion, Link, PeriodPrecision


class VersionSerializer(serializers.ModelSerializer):
    sha256 = serializers.CharField(source="blob.sha256", read_only=True)
    size = serializers.IntegerField(source="blob.size", read_only=True)
    content_type = serializers.CharField(source="blob.content_type", read_only=True)
    uploaded_by_name = serializers.CharField(source="uploaded_by.real_name", read_only=True)
    download_url = serializers.SerializerMethodField(help_text=_("Streams this version; every download is audited."))

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "document",
            "number",
            "name",
            "size",
            "sha256",
            "content_type",
            "kind",
            "extension",
            "note",
            "uploaded_by",
            "uploaded_by_name",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_download_url(self, version):
        url = reverse("api:version-download", args=[version.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class DocumentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    uploaded_by_name = serializers.CharField(source="uploaded_by.real_name", read_only=True)
    period_label = serializers.CharField(read_only=True)
    current = VersionSerializer(read_only=True, allow_null=True, help_text=_("The current version."))

    class Meta:
        model = Document
        fields = [
            "id",
            "unit",
            "unit_name",
            "title",
            "folder",
            "period",
            "period_precision",
            "period_label",
            "description",
            "uploaded_by",
            "uploaded_by_name",
            "created_at",
            "updated_at",
            "version_count",
            "current",
        ]
        read_only_fields = fields


class DocumentDetailSerializer(DocumentSerializer):
    versions = VersionSerializer(many=True, read_only=True, help_text=_("Every version, newest first."))

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "versions"]
        read_only_fields = fields


class UploadResultSerializer(DocumentDetailSerializer):
    duplicate = serializers.BooleanField(
        read_only=True,
        help_text=_("True when the same bytes were already in this unit: nothing was stored and this is the existing document."),
    )

    class Meta(DocumentDetailSerializer.Meta):
        fields = [*DocumentDetailSerializer.Meta.fields, "duplicate"]
        read_only_fields = fields


class DocumentUpdateSerializer(serializers.Serializer):
    # A blank title reaches the action, which gives the same message as the pages.
    title = serializers.CharField(allow_blank=True, max_length=200)
    folder = serializers.CharField(allow_blank=True, required=False, max_length=200)
    period = serializers.DateField()
    period_precision = serializers.ChoiceField(choices=PeriodPrecision.choices)
    description = serializers.CharField(allow_blank=True, required=False)


class UploadSerializer(serializers.Serializer):
    # Empty files are let through: the upload check refuses them with its own message and code.
    file = serializers.FileField(allow_empty_file=True)
    unit = VisibleUnitField()
    title = serializers.CharField(
        allow_blank=True, required=False, max_length=200, help_text=_("Left out, the file name without its extension.")
    )
    folder = serializers.CharField(allow_blank=True, required=False, max_length=200)
    period = serializers.DateField(help_text=_("The date the evidence belongs to (not the upload date)."))
    period_precision = serializers.ChoiceField(choices=PeriodPrecision.choices, default=PeriodPrecision.DAY)
    description = serializers.CharField(allow_blank=True, required=False)


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    note = serializers.CharField(allow_blank=True, required=False, max_length=200, help_text=_("What changed."))


class UploadRefusalSerializer(serializers.Serializer):
    """The answer to a refused upload (documents the 400 in the OpenAPI document)."""

    file = serializers.ListField(child=serializers.CharField(), help_text=_("Why the file was refused."))
    code = serializers.CharField(
        help_text=_("What was wrong, for programs: e.g. executable, empty, too_large, duplicate."), required=False
    )


class VisibleDocumentField(serializers.PrimaryKeyRelatedField):
    """A document chosen by id among those the user can see; others are refused like missing ones."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Document.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return permissions.restrict(
            Document.objects.select_related("unit"), request.user if request else None, perm=DOCUMENT_VIEW
        )


class LinkSerializer(serializers.ModelSerializer):
    document_title = serializers.CharField(source="document.title", read_only=True)
    target_type = serializers.SerializerMethodField(help_text=_('The kind of the target, as "app_label.model".'))
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Link
        fields = [
            "id",
            "document",
            "document_title",
            "target_type",
            "target_id",
            "unit",
            "unit_name",
            "period",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_target_type(self, link):
        return f"{link.target_type.app_label}.{link.target_type.model}"


class LinkCreateSerializer(serializers.Serializer):
    document = VisibleDocumentField()
    target_type = serializers.ChoiceField(choices=[], help_text=_('The kind of the target, as "app_label.model".'))
    target_id = serializers.IntegerField(min_value=1)
    unit = VisibleUnitField(
        required=False, allow_null=True, help_text=_("The unit whose ledger the link belongs to; left out, the target's unit.")
    )
    period = serializers.DateField(required=False, allow_null=True, help_text=_("The period the link proves, if any."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when used, not at import: capabilities register their models in AppConfig.ready().
        self.fields["target_type"].choices = links.labels()

    def validate(self, data):
        """Finds the target among the objects of that kind the user can see."""
        linkable = links.get(data["target_type"])
        request = self.context.get("request")
        visible = linkable.visible_to(request.user if request else None)
        target = visible.filter(pk=data["target_id"]).first()
        if target is None:
            # Missing and out of sight answer alike, so ids reveal nothing beyond the user's scope.
            raise serializers.ValidationError({"target_id": _("Unknown target.")}, code="unknown_target")
        data["target"] = target
        return data
