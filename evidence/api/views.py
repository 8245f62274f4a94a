"""/api/v1/documents/, /api/v1/versions/ and /api/v1/links/: evidence through the same permission
layer as the pages. Uploads, versions, links and downloads all go through evidence.actions."""

from contextlib import contextmanager

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import permissions
from accounts.roles import DOCUMENT_VIEW
from core.api import IdFilter, ScopedViewSetMixin, action_errors, validation_detail
from organization.models import Unit

from .. import actions
from ..models import Document, DocumentVersion, Link
from .serializers import (
    DocumentDetailSerializer,
    DocumentSerializer,
    DocumentUpdateSerializer,
    LinkCreateSerializer,
    LinkSerializer,
    UploadRefusalSerializer,
    UploadResultSerializer,
    UploadSerializer,
    VersionSerializer,
    VersionUploadSerializer,
)


def _refusal_code(error: DjangoValidationError):
    """The machine code of a refused file (executable, empty, duplicate…)."""
    for item in getattr(error, "error_dict", {}).get("file", ()):
        if item.code:
            return item.code
    # The actions raise ValidationError({"file": message}, code=...): Django keeps a code given
    # next to a dict only in the exception's arguments.
    return error.args[1] if len(error.args) > 1 else None


@contextmanager
def upload_errors():
    """Like core.api.action_errors, and a refused file also says why in a machine "code"."""
    try:
        yield
    except DjangoValidationError as error:
        detail = validation_detail(error)
        code = _refusal_code(error) if "file" in detail else None
        if code:
            detail["code"] = code
        raise serializers.ValidationError(detail) from error


class FileRenderer(renderers.BaseRenderer):
    """Lets a client that asks for the file's own type (Accept: application/pdf) be answered.

    The file itself is a FileResponse, which no renderer touches; this renders only the error
    answers (404, 403), as JSON.
    """

    media_type = "*/*"
    format = "json"  # errors are JSON; one format keeps ?format= out of the OpenAPI document
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return renderers.JSONRenderer().render(data)


def _deliver(request, version):
    handle = actions.open_version(request.user, version, purpose="download")
    response = FileResponse(handle, as_attachment=True, filename=version.name, content_type=version.blob.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


_DOWNLOAD = {
    "responses": {(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description=_("The file."))},
}


def _unit_path(pk):
    """The path of a unit named in a filter. Only the path is read: the rows found are still
    restricted to the user's scope, so a unit outside it narrows nothing into view."""
    return Unit.objects.filter(pk=pk).values_list("path", flat=True).first()


class DocumentFilter(django_filters.FilterSet):
    unit = IdFilter(method="filter_unit", label=_("Documents of exactly this unit"))
    within = IdFilter(method="filter_within", label=_("Documents of this unit and all units under it"))
    year = django_filters.NumberFilter(field_name="period", lookup_expr="year", label=_("Period in this year"))
    period_from = django_filters.DateFilter(field_name="period", lookup_expr="gte", label=_("Period on or after"))
    period_to = django_filters.DateFilter(field_name="period", lookup_expr="lte", label=_("Period on or before"))
    folder = django_filters.CharFilter(method="filter_folder", label=_("This folder and the folders inside it"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search the title"))
    kind = django_filters.CharFilter(field_name="current__kind", label=_("Kind of the current version (pdf, image, …)"))

    class Meta:
        model = Document
        fields = ["year", "period_from", "period_to", "kind"]

    def filter_unit(self, queryset, name, value: int):
        return queryset.filter(unit_id=value)

    def filter_within(self, queryset, name, value: int):
        path = _unit_path(value)
        return queryset.filter(unit__path__startswith=path) if path else queryset.none()

    def filter_folder(self, queryset, name, value: str):
        folder = actions.clean_folder(value)
        if not folder:
            return queryset
        return queryset.filter(Q(folder=folder) | Q(folder__startswith=f"{folder}/"))

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(title__icontains=value) if value else queryset


class DocumentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Documents the user can see, ordered by folder and period. Changes go through evidence.actions."""

    filterset_class = DocumentFilter

    def get_serializer_class(self):
        return DocumentSerializer if self.action == "list" else DocumentDetailSerializer

    def base_queryset(self):
        queryset = Document.objects.select_related("unit", "uploaded_by", "current__blob", "current__uploaded_by")
        if self.action != "list":
            versions = DocumentVersion.objects.select_related("blob", "uploaded_by").order_by("-number")
            queryset = queryset.prefetch_related(Prefetch("versions", queryset=versions))
        return queryset.order_by("folder", "-period", "title", "id")

    def _respond(self, document, status_code=status.HTTP_200_OK, serializer_class=DocumentDetailSerializer, **extra):
        document = self.base_queryset().get(pk=document.pk)
        for key, value in extra.items():
            setattr(document, key, value)
        return Response(serializer_class(document, context=self.get_serializer_context()).data, status=status_code)

    def _input(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: UploadResultSerializer,
            200: OpenApiResponse(UploadResultSerializer, description=_("The same bytes were already in the unit.")),
            400: UploadRefusalSerializer,
        },
    )
    def create(self, request):
        """Uploads a file as a new document. The same bytes already in the unit are not stored again."""
        data = self._input(UploadSerializer)
        upload = data.pop("file")
        with upload_errors():
            result = actions.upload_document(request.user, file=upload, name=upload.name, **data)
        return self._respond(
            result.document,
            status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED,
            UploadResultSerializer,
            duplicate=result.duplicate,
        )

    @extend_schema(request=DocumentUpdateSerializer, responses=DocumentDetailSerializer)
    def partial_update(self, request, pk=None):
        """Changes the title, folder, period or description."""
        document = self.get_object()
        data = self._input(DocumentUpdateSerializer, partial=True)
        with action_errors():
            document = actions.update_document(
                request.user,
                document,
                title=data.get("title", document.title),
                folder=data.get("folder", document.folder),
                period=data.get("period", document.period),
                period_precision=data.get("period_precision", document.period_precision),
                description=data.get("description", document.description),
            )
        return self._respond(document)

    @extend_schema(
        request={"multipart/form-data": VersionUploadSerializer},
        responses={201: DocumentDetailSerializer, 400: UploadRefusalSerializer},
    )
    @action(detail=True, methods=["post"])
    def versions(self, request, pk=None):
        """Uploads a new version; the earlier versions stay readable."""
        document = self.get_object()
        data = self._input(VersionUploadSerializer)
        with upload_errors():
            actions.add_version(request.user, document, file=data["file"], name=data["file"].name, note=data.get("note", ""))
        return self._respond(document, status.HTTP_201_CREATED)

    @extend_schema(**_DOWNLOAD)
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, FileRenderer])
    def download(self, request, pk=None):
        """Streams the current version as an attachment; the download is audited."""
        document = self.get_object()
        if document.current is None:
            raise Http404
        return _deliver(request, document.current)


class VersionViewSet(ScopedViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Single versions of the documents the user can see, to read or download old ones."""

    serializer_class = VersionSerializer
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        # A version is seen by whoever sees its document (there is no separate version permission).
        return permissions.restrict(self.base_queryset(), self.request.user, perm=DOCUMENT_VIEW)

    def base_queryset(self):
        return DocumentVersion.objects.select_related("blob", "uploaded_by", "document", "unit")

    @extend_schema(**_DOWNLOAD)
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, FileRenderer])
    def download(self, request, pk=None):
        """Streams this version as an attachment; the download is audited."""
        return _deliver(request, self.get_object())


class LinkFilter(django_filters.FilterSet):
    document = IdFilter(field_name="document_id", label=_("Links of this document"))
    target_type = django_filters.CharFilter(method="filter_target_type", label=_('Kind of target, as "app_label.model"'))
    target_id = IdFilter(field_name="target_id", label=_("Id of the target"))
    unit = IdFilter(field_name="unit_id", label=_("Links in the ledger of exactly this unit"))

    class Meta:
        model = Link
        fields = []

    def filter_target_type(self, queryset, name, value: str):
        app_label, _dot, model = value.strip().lower().partition(".")
        return queryset.filter(target_type__app_label=app_label, target_type__model=model)


class LinkViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Links between documents and what they prove. Unlinking never deletes the document or its file."""

    serializer_class = LinkSerializer
    filterset_class = LinkFilter
    http_method_names = ["get", "post", "delete", "head", "options"]

    def base_queryset(self):
        return Link.objects.select_related("document", "target_type", "unit")

    @extend_schema(request=LinkCreateSerializer, responses={201: LinkSerializer})
    def create(self, request):
        """Links a document to an object of a registered kind that the user can see."""
        serializer = LinkCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with action_errors():
            link = actions.link_document(
                request.user, data["document"], data["target"], unit=data.get("unit"), period=data.get("period")
            )
        link = self.base_queryset().get(pk=link.pk)
        return Response(LinkSerializer(link, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, link):
        with action_errors():
            actions.unlink(self.request.user, link)
