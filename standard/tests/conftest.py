import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.roles import Role
from mofan.testing.factories import make_person, make_unit
from organization.models import UnitKind
from standard import default

HEADER = ["一级指标", "二级指标", "考核内容", "分值", "评分方法", "每次扣分", "分档", "评分标准", "佐证材料", "牵头部门", "报送周期"]


def xlsx_file(rows, *, header=HEADER, above=(), name="标准.xlsx", merge=()):
    """An uploaded .xlsx: optional title rows ``above`` the header, then ``rows``; ``merge`` ranges like "A2:A5"."""
    workbook = Workbook()
    sheet = workbook.active
    for row in above:
        sheet.append(row)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in merge:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def published(agency_tree):
    """The default standard, published for the agency."""
    return default.load(agency_tree["agency"])


@pytest.fixture
def other_agency(db):
    agency = make_unit(name="另一市局", code="OTHER", kind=UnitKind.AGENCY)
    dept = make_unit(agency, name="综合科", code="OTHER-GEN")
    return {"agency": agency, "office": make_person(dept, username="other_office", roles=[(Role.OFFICE, agency)])}
