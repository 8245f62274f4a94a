"""Phone and ID card numbers: ciphertext in the database, found through blind indexes, masked in
lists and in the audit trail, re-encrypted by the key rotation command."""

import io

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from accounts import actions, roster
from accounts.models import User
from audit.models import AuditEntry
from core import crypto
from core.fields import matching
from mofan.testing.factories import make_person

pytestmark = pytest.mark.django_db

ID_NUMBER = "330106199003071236"


def raw_columns(person, *columns):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM accounts_user WHERE id = %s", [person.pk])
        return cursor.fetchone()


def client_for(person):
    client = Client()
    client.force_login(person)
    return client


def test_the_phone_column_holds_ciphertext_only(agency_tree):
    t = agency_tree
    actions.update_person(t["sysadmin"], t["staff_a"], phone="13812345678", id_number=ID_NUMBER)
    phone, phone_index, id_number = raw_columns(t["staff_a"], "phone", "phone_index", "id_number")
    assert phone.startswith("SM4:") and "13812345678" not in phone and "5678" not in phone
    assert id_number.startswith("SM4:") and ID_NUMBER not in id_number
    assert phone_index == crypto.blind_index("13812345678") and "13812345678" not in phone_index
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE phone IS NOT NULL")
        assert all(value.startswith("SM4:") for (value,) in cursor.fetchall())
    fresh = User.objects.get(pk=t["staff_a"].pk)
    assert (fresh.phone, fresh.id_number) == ("13812345678", ID_NUMBER)


def test_people_are_found_by_phone_through_the_index_and_never_by_the_column(agency_tree):
    t = agency_tree
    assert User.objects.get(matching(User, "phone", t["staff_b"].phone)) == t["staff_b"]
    assert User.objects.filter(matching(User, "phone", "13999999999")).count() == 0
    with pytest.raises(FieldError):
        User.objects.filter(phone=t["staff_b"].phone).exists()
    with pytest.raises(FieldError):
        User.objects.filter(phone__startswith="138").exists()
    assert User.objects.filter(phone__isnull=True).count() == 0


def test_a_phone_saved_with_update_fields_moves_its_index(agency_tree):
    person = agency_tree["staff_a"]
    person.phone = "13712345678"
    person.save(update_fields=["phone"])
    assert User.objects.get(matching(User, "phone", "13712345678")) == person


def test_a_number_held_by_someone_else_is_refused(agency_tree):
    t = agency_tree
    with pytest.raises(ValidationError) as error:
        actions.update_person(t["sysadmin"], t["staff_a"], phone=t["staff_b"].phone)
    assert "李乙" in error.value.message_dict["phone"][0]
    actions.update_person(t["sysadmin"], t["staff_a"], id_number=ID_NUMBER)
    with pytest.raises(ValidationError) as error:
        actions.update_person(t["sysadmin"], t["staff_b"], id_number=ID_NUMBER.lower())
    assert set(error.value.message_dict) == {"id_number"}


def test_id_numbers_are_checked(agency_tree):
    t = agency_tree
    with pytest.raises(ValidationError) as error:
        actions.create_person(t["sysadmin"], real_name="赵六", unit=t["dept_b"], id_number="330106199003071235")
    assert set(error.value.message_dict) == {"id_number"}
    assert not User.objects.filter(real_name="赵六").exists()
    person = actions.create_person(t["sysadmin"], real_name="赵六", unit=t["dept_b"], id_number="11010519491231002x")
    assert User.objects.get(matching(User, "id_number", "11010519491231002X")) == person
    assert person.id_number == "11010519491231002X" and person.masked_id_number == "1101**********002X"


def test_roster_import_matches_people_by_their_encrypted_phone(agency_tree):
    t = agency_tree
    workbook = Workbook()
    workbook.active.append(["序号", "姓名", "单位", "职务", "政治面貌", "手机号"])
    workbook.active.append([1, t["staff_b"].real_name, "财务科", "副科长", "", t["staff_b"].phone])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "花名册.xlsx"
    buffer.seek(0)
    result = roster.import_roster(t["sysadmin"], buffer)
    assert (result.created, result.updated, result.errors) == (0, 1, [])
    assert User.objects.get(pk=t["staff_b"].pk).position == "副科长"


def test_lists_mask_phones_and_details_mask_id_numbers_without_contact_permission(agency_tree):
    t = agency_tree
    actions.update_person(t["sysadmin"], t["staff_a"], phone="13812345678", id_number=ID_NUMBER)
    staff_list = client_for(t["staff_a"]).get(reverse("people:list")).content.decode()
    assert "138****5678" in staff_list and "13812345678" not in staff_list
    office_list = client_for(t["office"]).get(reverse("people:list")).content.decode()
    assert "13812345678" in office_list
    detail = reverse("people:detail", args=[t["staff_a"].pk])
    own = client_for(t["staff_a"]).get(detail).content.decode()
    assert "3301**********1236" in own and ID_NUMBER not in own
    assert ID_NUMBER in client_for(t["office"]).get(detail).content.decode()


def test_the_audit_trail_never_holds_the_numbers_in_clear(agency_tree):
    t = agency_tree
    actions.update_person(t["sysadmin"], t["staff_a"], phone="13812345678", id_number=ID_NUMBER)
    # Only hidden digits change: the entry still shows a change.
    actions.update_person(t["sysadmin"], t["staff_a"], phone="13899995678")
    entries = list(AuditEntry.objects.filter(object_type="accounts.user", object_id=str(t["staff_a"].pk)).order_by("id"))
    recorded = " ".join(str(entry.before) + str(entry.after) for entry in entries)
    assert "13812345678" not in recorded and "13899995678" not in recorded and ID_NUMBER not in recorded
    assert "phone_index" not in recorded
    last = entries[-1]
    assert last.before["phone"].startswith("138****5678 #") and last.after["phone"].startswith("138****5678 #")
    assert last.before["phone"] != last.after["phone"]
    assert entries[-2].after["id_number"].startswith("3301**********1236")


def test_rotate_data_key_reencrypts_every_column_and_keeps_lookups(agency_tree, settings):
    t = agency_tree
    actions.update_person(t["sysadmin"], t["staff_a"], id_number=ID_NUMBER)
    old_key = crypto.current_data_key()
    settings.MOFAN_DATA_KEYS = getattr(settings, "MOFAN_DATA_KEY", "") or crypto._DEVELOPMENT_SECRETS["MOFAN_DATA_KEY"]
    settings.MOFAN_DATA_KEY = "rotated-" + "r" * 40
    new_key = crypto.current_data_key()
    # Before the rotation, rows under the old key are still found.
    assert User.objects.get(matching(User, "phone", t["staff_b"].phone)) == t["staff_b"]
    call_command("rotate_data_key", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM accounts_user WHERE phone IS NOT NULL")
        values = [value for row in cursor.fetchall() for value in row if value]
    assert values and all(crypto.key_id_of(value) == new_key.id != old_key.id for value in values)
    settings.MOFAN_DATA_KEYS = ""
    assert User.objects.get(matching(User, "phone", t["staff_b"].phone)) == t["staff_b"]
    assert User.objects.get(pk=t["staff_a"].pk).id_number == ID_NUMBER


def test_people_made_by_the_factory_still_have_distinct_numbers(agency_tree):
    other = make_person(agency_tree["dept_b"])
    assert other.phone and User.objects.get(matching(User, "phone", other.phone)) == other


def test_the_person_form_takes_an_id_number_and_refuses_a_wrong_one(agency_tree):
    t = agency_tree
    client = client_for(t["sysadmin"])
    form = {"real_name": "钱七", "unit": t["dept_b"].pk, "party_status": "masses", "id_number": "330106199003071235"}
    response = client.post(reverse("people:create"), form)
    assert response.status_code == 200 and "不是有效的 18 位身份证号码" in response.content.decode()
    assert not User.objects.filter(real_name="钱七").exists()
    response = client.post(reverse("people:create"), {**form, "id_number": ID_NUMBER})
    person = User.objects.get(real_name="钱七")
    assert response.status_code == 302 and person.id_number == ID_NUMBER
    assert raw_columns(person, "id_number")[0] != ID_NUMBER


def test_the_api_shows_id_numbers_masked_without_contact_permission(agency_tree):
    from rest_framework.test import APIClient

    t = agency_tree
    admin = APIClient()
    admin.force_login(t["sysadmin"])
    url = f"/api/v1/people/{t['staff_a'].pk}/"
    response = admin.patch(url, {"real_name": t["staff_a"].real_name, "unit": t["dept_a"].pk, "id_number": ID_NUMBER}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["id_number"] == ID_NUMBER
    colleague = APIClient()
    colleague.force_login(make_person(t["dept_a"], username="colleague"))
    listed = {row["username"]: row["id_number"] for row in colleague.get("/api/v1/people/").json()["results"]}
    assert listed["staff_a"] == "3301**********1236" and listed["office"] == ""
    auditor = APIClient()
    auditor.force_login(t["secadmin"])
    assert auditor.get(url).json()["id_number"] == "3301**********1236"
