import pytest

from accounts.actions import suggest_username
from accounts.naming import pinyin_login, unique_login
from mofan.testing.factories import make_person, make_unit


def test_surnames_are_read_as_surnames():
    assert pinyin_login("曾文静") == "zengwenjing"
    assert pinyin_login("单雄") == "shanxiong"
    assert pinyin_login("尉迟恭") == "yuchigong"
    assert pinyin_login("张三") == "zhangsan"


def test_unique_login_counts_up():
    taken = {"liuhua", "liuhua2"}
    assert unique_login("liuhua", taken) == "liuhua3" and "liuhua3" in taken


@pytest.mark.django_db
def test_suggest_username_avoids_existing_accounts():
    make_person(make_unit(), username="zhangsan", real_name="张三")
    assert suggest_username("张三") == "zhangsan2"


@pytest.mark.django_db
def test_a_login_name_with_spaces_or_slashes_is_refused():
    from django.core.exceptions import ValidationError

    from accounts.actions import create_person

    unit = make_unit()
    for bad in ("zhang san", "a/b", "x" * 151):
        with pytest.raises(ValidationError) as error:
            create_person(None, username=bad, real_name="张三", unit=unit)
        assert "username" in error.value.message_dict
