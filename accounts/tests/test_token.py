import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import actions
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/"


def issue(username, *args):
    out = io.StringIO()
    call_command("issue_api_token", username, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def with_token(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_issued_token_authenticates_within_the_users_scope(agency_tree):
    token = issue("staff_a")
    response = with_token(token).get(PEOPLE)
    assert response.status_code == 200
    listed = {row["username"] for row in response.json()["results"]}
    assert "staff_a" in listed and "staff_b" not in listed
    assert with_token(token).get(f"{PEOPLE}{agency_tree['staff_b'].pk}/").status_code == 404


def test_only_a_hash_of_the_token_is_stored(agency_tree):
    token = issue("staff_a")
    stored = AuthToken.objects.get(user=agency_tree["staff_a"])
    assert stored.digest != token and token not in stored.digest
    assert stored.expiry is None


def test_issuing_is_audited(agency_tree):
    issue("staff_a", "--days", "30")
    entry = AuditEntry.objects.get(action="token_issued")
    assert entry.object_id == str(agency_tree["staff_a"].pk) and entry.source == "command"
    stored = AuthToken.objects.get(user=agency_tree["staff_a"])
    assert stored.token_key in entry.summary
    assert timezone.timedelta(days=29) < stored.expiry - timezone.now() <= timezone.timedelta(days=30)


def test_disabled_user_gets_no_token(agency_tree):
    actions.set_person_active(None, agency_tree["staff_b"], False)
    with pytest.raises(CommandError):
        issue("staff_b")
    assert not AuthToken.objects.exists()


def test_token_of_a_disabled_user_is_refused(agency_tree):
    token = issue("staff_b")
    assert with_token(token).get(PEOPLE).status_code == 200
    actions.set_person_active(None, agency_tree["staff_b"], False)
    response = with_token(token).get(PEOPLE)
    assert response.status_code in (401, 403) and "results" not in response.json()


def test_expired_or_wrong_token_is_refused(agency_tree):
    token = issue("staff_a", "--days", "1")
    AuthToken.objects.update(expiry=timezone.now() - timezone.timedelta(minutes=1))
    assert with_token(token).get(PEOPLE).status_code in (401, 403)
    assert with_token(issue("staff_a")[:-4] + "abcd").get(PEOPLE).status_code in (401, 403)


def test_unknown_user_and_bad_days_are_refused(agency_tree):
    with pytest.raises(CommandError):
        issue("nobody")
    with pytest.raises(CommandError):
        issue("staff_a", "--days", "0")
    assert not AuthToken.objects.exists()


def test_disabling_an_account_deletes_its_tokens_for_good(agency_tree):
    from knox.models import AuthToken

    from accounts import actions

    person = agency_tree["staff_a"]
    _instance, key = AuthToken.objects.create(user=person)
    actions.set_person_active(None, person, False)
    actions.set_person_active(None, person, True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/people/").status_code == 401
