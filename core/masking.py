"""Masked display of personal numbers for lists and for anyone without the right to the full value."""


def phone(value) -> str:
    """138****5678: the first three and last four digits; short numbers are hidden entirely."""
    digits = (value or "").strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def id_number(value) -> str:
    """3301**********1234: the region of issue (first four) and the last four characters."""
    text = (value or "").strip()
    if len(text) <= 8:
        return "*" * len(text)
    return f"{text[:4]}{'*' * (len(text) - 8)}{text[-4:]}"
