"""Login names from Chinese names: 张三 → zhangsan, with surnames read as surnames."""

from pypinyin import lazy_pinyin

# Characters whose everyday reading differs from their reading as a surname.
SURNAME_READINGS = {
    "万俟": "moqi",
    "尉迟": "yuchi",
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "覃": "qin",
    "乐": "yue",
    "召": "shao",
    "缪": "miao",
    "种": "chong",
    "秘": "bi",
    "繁": "po",
    "长孙": "zhangsun",
    "翟": "zhai",
    "员": "yun",
    "尉": "yu",
    "黑": "he",
}


def pinyin_login(real_name: str) -> str:
    """The base login name for a person (without a number to make it unique)."""
    name = real_name.strip()
    prefix = ""
    for surname in sorted(SURNAME_READINGS, key=len, reverse=True):
        if name.startswith(surname):
            prefix, name = SURNAME_READINGS[surname], name[len(surname):]
            break
    base = (prefix + "".join(lazy_pinyin(name, errors="ignore"))).lower()
    return "".join(ch for ch in base if ch.isascii() and ch.isalnum())[:24] or "user"


def unique_login(base: str, taken: set) -> str:
    """``base``, or ``base2``, ``base3``… whichever is not in ``taken`` (which it then joins)."""
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}{number}", number + 1
    taken.add(candidate)
    return candidate
