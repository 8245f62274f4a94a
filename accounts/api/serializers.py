"""People in the API. Writes only parse input; the rules live in accounts.actions."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import VisibleUnitField

from .. import permissions
from ..models import PartyStatus, User
from ..roles import PERSON_VIEW_CONTACT


class PersonSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)
    party_status_display = serializers.CharField(source="get_party_status_display", read_only=True)
    party_unit_name = serializers.CharField(source="party_unit.name", read_only=True, default=None)
    phone = serializers.SerializerMethodField(
        help_text=_("The full number for users who may see contact details, otherwise the masked form.")
    )
    id_number = serializers.SerializerMethodField(
        help_text=_("The full number for users who may see contact details, otherwise the masked form.")
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "real_name",
            "unit",
            "unit_name",
            "position",
            "party_status",
            "party_status_display",
            "party_unit",
            "party_unit_name",
            "phone",
            "id_number",
            "is_active",
        ]
        read_only_fields = fields

    def _shows_contact(self, person):
        # Scopes are cached on the request user, so this costs no query per row.
        request = self.context.get("request")
        return bool(request) and permissions.has_perm(request.user, PERSON_VIEW_CONTACT, person)

    @extend_schema_field(serializers.CharField())
    def get_phone(self, person):
        return (person.phone or "") if self._shows_contact(person) else person.masked_phone

    @extend_schema_field(serializers.CharField())
    def get_id_number(self, person):
        return (person.id_number or "") if self._shows_contact(person) else person.masked_id_number


class PersonUpdateSerializer(serializers.Serializer):
    # Blank values reach the action, which gives the same message as the pages and the import.
    real_name = serializers.CharField(allow_blank=True)
    unit = VisibleUnitField()
    position = serializers.CharField(allow_blank=True, required=False)
    party_status = serializers.ChoiceField(choices=PartyStatus.choices, required=False)
    party_unit = VisibleUnitField(allow_null=True, required=False)
    phone = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    id_number = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=18)


class PersonCreateSerializer(PersonUpdateSerializer):
    username = serializers.CharField(
        allow_blank=True,
        required=False,
        help_text=_("Left out, a username is made from the pinyin of the name."),
    )
