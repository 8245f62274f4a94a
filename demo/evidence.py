"""The coal affairs centre's evidence ledger for 2026: a handful of small real files linked to items.

Meeting minutes as plain text, sign-in sheets and lists as .xlsx (openpyxl), activity photos as
PNG (made with zlib): generated here byte for byte the same on every run, then uploaded by the
records clerk through evidence.actions, so type checks, deduplication and the audit trail apply.
A second run finds each document by unit and title and writes nothing.
"""

import datetime
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.models import User
from evidence import actions
from evidence.models import Document
from organization.models import Unit
from standard import ledger

from . import data

CLERK = "zhoucheng"  # 周城, records clerk of the centre
FIXED = (2026, 1, 1, 0, 0, 0)  # the time stamped inside generated .xlsx files


@dataclass(frozen=True)
class EvidenceSpec:
    unit: str  # unit code
    title: str
    kind: str  # "txt", "xlsx" or "png"
    period: datetime.date
    folder: str
    items: tuple  # numbers of the scoring items it proves ("" for none)
    content: tuple  # text lines, or sheet rows, or (label, colour) for a picture


def _d(month, day):
    return datetime.date(2026, month, day)


C = data.COAL
SIGN_IN = ("序号", "姓名", "职务", "签到时间")
FILES = (
    EvidenceSpec(C, "2026年第1次主任办公会第一议题学习记录", "txt", _d(1, 8), "政治过硬/政治建设", ("1.1.1",), (
        "会议时间：2026年1月8日上午9:00", "会议地点：中心三楼会议室", "主持人：谭振华", "参会人员：邓正、文成、张生、刘华及各股室负责人",
        "第一议题：传达学习习近平总书记最新重要讲话精神", "贯彻措施：", "一、各股室结合安全监管和行业服务工作制定学习计划；",
        "二、办公室负责跟踪落实情况，每月底汇总报送。", "记录人：周城")),
    EvidenceSpec(C, "2026年3月理论学习中心组学习纪要", "txt", _d(3, 12), "政治过硬/理论武装", ("1.2.1",), (
        "学习时间：2026年3月12日", "学习主题：深入学习贯彻党的二十届三中全会精神", "领学人：谭振华",
        "交流发言：邓正、文成、张生围绕煤矿安全生产治本攻坚作交流发言。", "下步要求：各股室开展专题研讨，形成调研课题。")),
    EvidenceSpec(C, "2026年3月中心组学习签到表", "xlsx", _d(3, 12), "政治过硬/理论武装", ("1.2.1",), (
        SIGN_IN, (1, "谭振华", "党支部书记、主任", "08:52"), (2, "邓正", "副主任", "08:55"), (3, "文成", "副主任", "08:50"),
        (4, "张生", "总工程师", "08:57"), (5, "刘华", "办公室主任", "08:45"))),
    EvidenceSpec(C, "2026年全面从严治党工作要点", "txt", _d(2, 20), "纪律过硬/全面从严治党责任", ("4.1.1", "4.2.1"), (
        "衡州市煤炭事务中心2026年全面从严治党工作要点", "一、压实管党治党主体责任，签订党风廉政建设责任书；",
        "二、深化廉洁文化建设，开展“清风煤海”警示教育；", "三、落实中央八项规定精神，每季度开展一次专项检查。")),
    EvidenceSpec(C, "4月主题党日活动照片", "png", _d(4, 25), "组织过硬/组织生活", ("2.3.2",), ("主题党日", (179, 19, 27))),
    EvidenceSpec(C, "“我为群众办实事”项目清单", "xlsx", _d(5, 10), "作风过硬/为民服务", ("3.2.1",), (
        ("序号", "项目", "责任股室", "完成时限", "进展"), (1, "煤矿安全技术咨询“一站式”服务", "技术服务股", "2026-06-30", "推进中"),
        (2, "行业统计报表简化", "行业管理股", "2026-09-30", "已完成"), (3, "安全培训进基层", "安全监管股", "2026-11-30", "推进中"))),
    EvidenceSpec(C, "模范机关创建资料台账目录", "xlsx", _d(6, 30), "能力过硬/问题整改与创新创优", ("5.3.3",), (
        ("一级指标", "二级指标", "材料", "责任股室"), ("政治过硬", "政治建设", "第一议题学习记录", "办公室"),
        ("组织过硬", "组织生活", "三会一课记录", "各股室"), ("纪律过硬", "正风肃纪", "公务接待台账", "财务股"))),
    EvidenceSpec(C, "关于开展2026年模范机关创建工作的通知", "txt", _d(1, 15), "收文", (), (
        "各股室：", "为深入推进模范机关创建，现将2026年创建工作安排通知如下……", "衡州市煤炭事务中心", "2026年1月15日")),
    EvidenceSpec(f"{C}-AQ", "安全监管股2026年4月党小组会议记录", "txt", _d(4, 16), "组织过硬/组织生活", ("2.3.1",), (
        "会议时间：2026年4月16日", "参会人数：应到6人，实到6人", "议题：学习《煤矿安全规程》修订内容，讨论一季度安全检查发现问题整改。",
        "记录人：安全监管股")),
    EvidenceSpec(f"{C}-AQ", "安全生产业务培训签到表", "xlsx", _d(5, 20), "能力过硬/队伍建设", ("5.2.1",), (
        SIGN_IN, (1, "安全监管股股长", "股长", "13:55"), (2, "安全监管股副股长", "副股长", "13:58"))),
    EvidenceSpec(f"{C}-HY", "行业管理股2026年一季度“三会一课”记录", "txt", _d(3, 28), "组织过硬/组织生活", ("2.3.1",), (
        "一季度召开党小组会3次、讲党课1次。", "3月28日党课：以高质量党建引领煤炭行业管理服务。")),
    EvidenceSpec(f"{C}-JS", "技术服务股现场教学照片", "png", _d(5, 9), "政治过硬/理论武装", ("1.2.4",), ("现场教学", (32, 96, 160))),
    EvidenceSpec(f"{C}-JS", "技术服务股2026年4月“三会一课”记录", "txt", _d(4, 22), "组织过硬/组织生活", ("2.3.1",), (
        "4月22日党小组会：学习煤矿智能化建设政策，安排技术服务进企业。",)),
    EvidenceSpec(f"{C}-GH", "规划发展股重点任务分解表", "xlsx", _d(2, 28), "能力过硬/目标管理与重点任务", ("5.1.2",), (
        ("序号", "任务", "责任人", "完成时限"), (1, "编制煤炭行业发展年度计划", "规划发展股股长", "2026-03-31"),
        (2, "煤矿关闭退出后续工作", "规划发展股", "2026-10-31"))),
    EvidenceSpec(f"{C}-CW", "财务股2026年上半年公务接待台账", "xlsx", _d(6, 30), "纪律过硬/正风肃纪", ("4.3.1",), (
        ("日期", "事由", "人数", "金额（元）", "审批人"), ("2026-03-05", "省局安全检查组工作用餐", 6, 360, "邓正"))),
)


def _text(lines) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xlsx(rows) -> bytes:
    """A workbook whose bytes do not depend on when it is made: fixed times inside and on each member."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(list(row))
    made = io.BytesIO()
    workbook.save(made)
    stamp = datetime.datetime(*FIXED).strftime("%Y-%m-%dT%H:%M:%SZ")
    fixed = io.BytesIO()
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED), content, zipfile.ZIP_DEFLATED)
    return fixed.getvalue()


def _png(label, colour, width=240, height=160) -> bytes:
    """A picture standing in for an activity photo: a coloured banner over grey figures (no text)."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type: none
        for x in range(width):
            if y < 36:
                pixel = colour
            elif 70 <= y < 140 and (x // 30) % 2 == 1:
                shade = 90 + (len(label) * 7 + x // 30 * 11) % 60
                pixel = (shade, shade, shade)
            else:
                pixel = (236, 238, 241)
            row.extend(pixel)
        rows.append(bytes(row))

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")


def content_of(spec: EvidenceSpec) -> bytes:
    if spec.kind == "xlsx":
        return _xlsx(spec.content)
    if spec.kind == "png":
        return _png(*spec.content)
    return _text(spec.content)


def ensure_evidence() -> int:
    """Uploads and links the files that are missing; returns how many documents it created."""
    units = {unit.code: unit for unit in Unit.objects.filter(code__in={spec.unit for spec in FILES})}
    present = set(Document.objects.filter(unit__in=list(units.values()), title__in=[s.title for s in FILES]).values_list("unit__code", "title"))
    missing = [spec for spec in FILES if (spec.unit, spec.title) not in present]
    if not missing:
        return 0
    clerk = User.objects.get(username=CLERK)
    structure = ledger.structure_for(units[data.COAL])
    items = {item.number: item.pk for _path, item in structure.walk()}
    nodes = {node.pk: node for node in structure.model.objects.filter(pk__in=items.values())}
    created = 0
    for spec in missing:
        unit = units[spec.unit]
        name = f"{spec.title}.{spec.kind}"
        result = actions.upload_document(
            clerk, unit=unit, file=SimpleUploadedFile(name, content_of(spec)), name=name, title=spec.title,
            period=spec.period, folder=spec.folder,
        )
        for number in spec.items:
            actions.link_document(clerk, result.document, nodes[items[number]], unit=unit)
        created += not result.duplicate
    return created
