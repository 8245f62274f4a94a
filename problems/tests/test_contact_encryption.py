"""The contact phone of public feedback is stored encrypted and never in clear in the audit trail."""

import datetime

from django.db import connection
from django.utils import timezone

from audit.models import AuditEntry
from problems import feedback
from problems.models import Feedback


def test_contact_phone_is_ciphertext_in_the_database_and_masked_in_the_trail(centre):
    record = feedback.record(
        centre["liuhua"], channel="phone", received_at=timezone.now() - datetime.timedelta(days=1), contact_name="张三",
        contact_phone="13812345678", content="煤矿安全检查通知送达不及时", unit=centre["safety"],
        reply_due=timezone.localdate() + datetime.timedelta(days=5),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM problems_feedback WHERE id = %s", [record.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("SM4:") and "5678" not in stored
    fresh = Feedback.objects.get(pk=record.pk)
    assert fresh.contact_phone == "13812345678" and feedback.mask_phone(fresh.contact_phone) == "138****5678"
    entry = AuditEntry.objects.get(object_type="problems.feedback", object_id=str(record.pk), action="create")
    assert "13812345678" not in str(entry.after) and entry.after["contact_phone"].startswith("138****5678 #")


def test_an_empty_contact_phone_stays_empty(centre):
    record = feedback.record(
        centre["liuhua"], channel="online", received_at=timezone.now(), content="网上办事系统经常登录不上",
        unit=centre["safety"], reply_due=timezone.localdate(),
    )
    assert Feedback.objects.get(pk=record.pk).contact_phone == ""
