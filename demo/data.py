"""The demo's static data, drawn from the two speeches in the product brief.

A fictional city tobacco bureau (衡州市烟草专卖局（公司）: departments, county bureaus, the
logistics centre, the party organizations down to the groups "建在最基层的烟站、队所、车间"), the
coal affairs centre (煤炭事务中心) with its sections and the leading group named in its speech, and
the city's organ work committee whose inspection team reads the tobacco bureau's ledger.

Only the names the speeches give are fixed; everyone else gets a generated name (see seed.py).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from organization.models import LeadingGroupTitle as T
from organization.models import UnitKind as K

SEED = 20240507  # the date of the coal centre's mobilization meeting
DEMO_PASSWORD = "Mofan@2026demo"
INSPECTION_DAYS = 30


@dataclass(frozen=True)
class Seat:
    """One post (or ``count`` alike posts) in a unit."""

    position: str
    count: int = 1
    username: str = ""  # a fixed demo login; otherwise the pinyin of the generated name
    name: str = ""  # a real name given by a speech
    roles: tuple = ()  # (role, unit code) pairs; an inspector's grant gets a time window
    titles: tuple = ()  # leading group seats: (title, code of the unit owning the group)
    head: bool = False  # heads the unit it sits in: department head role on it
    member: bool = False  # always a CPC member (leaders, heads)
    party: str = ""  # party organization code when not the unit's own


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    kind: str
    short: str = ""
    party: str = ""  # the party branch or group this unit's people belong to
    staff: tuple = ()
    children: tuple = ()


def leader(position, count=1, **kw):
    return Seat(position, count, member=True, **kw)


def head(position, lg="", **kw):
    titles = kw.pop("titles", ((T.MEMBER, lg),) if lg else ())
    return Seat(position, head=True, member=True, titles=titles, **kw)


def dept(code, name, party, *staff, short="", children=()):
    return Node(code, name, K.DEPARTMENT, short=short, party=party, staff=staff, children=children)


def party(code, name, kind, short="", children=()):
    return Node(code, name, kind, short=short, children=children)


TOBACCO = "HZYC"
COAL = "MTSW"
COMMITTEE = "SZJG"


def _county(key, name, stations=()):
    """A county bureau (营销部) with its sections, leaf stations and its party general branch."""
    c = f"{TOBACCO}-{key}"
    short = f"{name}局"
    leaf = bool(stations)
    sections = [
        dept(f"{c}-BGS", "综合办公室", f"{c}-ZBJG",
             head("主任", roles=((Role.OFFICE, c),)),
             Seat("科员", roles=((Role.RECORDS_CLERK, c),)),
             Seat("科员")),
        dept(f"{c}-ZMS", "专卖管理所", f"{c}-ZBZY-XZ1",
             head("所长"), Seat("副所长"), Seat("专卖管理员", 3)),
        dept(f"{c}-YX", "市场营销股", f"{c}-ZBZY-XZ2",
             head("股长"), Seat("客户经理", username="county" if key == "LJ" else ""), Seat("客户经理", 4)),
    ]
    if leaf:
        sections.append(dept(f"{c}-YY", "烟叶股", f"{c}-ZBJG", head("股长"), Seat("烟叶技术员", 2)))
    for index, station in enumerate(stations, 1):
        sections.append(
            dept(f"{c}-YZ{index}", f"{station}烟叶工作站", f"{c}-ZBYZ-XZ{index}",
                 head("站长"), Seat("烟叶技术员"), Seat("收购员"), short=f"{station}烟站")
        )
    branches = [
        party(f"{c}-ZBJG", f"{short}机关党支部", K.PARTY_BRANCH, short="机关党支部"),
        party(f"{c}-ZBZY", f"{short}专卖营销党支部", K.PARTY_BRANCH, short="专卖营销党支部", children=(
            party(f"{c}-ZBZY-XZ1", f"{short}专卖管理所党小组", K.PARTY_GROUP, short="专卖管理所党小组"),
            party(f"{c}-ZBZY-XZ2", f"{short}营销党小组", K.PARTY_GROUP, short="营销党小组"),
        )),
    ]
    if leaf:
        branches.append(party(f"{c}-ZBYZ", f"{short}烟站党支部", K.PARTY_BRANCH, short="烟站党支部", children=tuple(
            party(f"{c}-ZBYZ-XZ{i}", f"{short}{s}烟站党小组", K.PARTY_GROUP, short=f"{s}烟站党小组")
            for i, s in enumerate(stations, 1)
        )))
    committee = party(f"{c}-DZZ", f"中共{name}烟草专卖局（营销部）总支部委员会", K.PARTY_COMMITTEE,
                      short=f"{short}党总支", children=tuple(branches))
    return Node(
        c, f"{name}烟草专卖局（营销部）", K.SUBORDINATE_UNIT, short=short, party=f"{c}-ZBJG",
        staff=(
            leader("局长（经理）", roles=((Role.LEADER, c),), titles=((T.MEMBER, TOBACCO),)),
            leader("副局长（副经理）"),
        ),
        children=(*sections, committee),
    )


_ZB1, _ZB2 = f"{TOBACCO}-ZB1", f"{TOBACCO}-ZB2"
_ZBZM, _ZBYX, _ZBYY = f"{TOBACCO}-ZBZM", f"{TOBACCO}-ZBYX", f"{TOBACCO}-ZBYY"
_WL = f"{TOBACCO}-WL"

TOBACCO_TREE = Node(
    TOBACCO, "衡州市烟草专卖局（公司）", K.AGENCY, short="衡州市局（公司）", party=f"{_ZB1}-XZ1",
    staff=(
        leader("党组书记、局长（经理）", username="leader", roles=((Role.LEADER, TOBACCO),),
               titles=((T.HEAD, TOBACCO),)),
        leader("党组成员、副局长（副经理）", roles=((Role.LEADER, TOBACCO),), titles=((T.EXECUTIVE_DEPUTY, TOBACCO),)),
        leader("党组成员、副局长（副经理）", 2, roles=((Role.LEADER, TOBACCO),), titles=((T.DEPUTY, TOBACCO),)),
        leader("党组成员、纪检组长", roles=((Role.LEADER, TOBACCO),), titles=((T.DEPUTY, TOBACCO),)),
    ),
    children=(
        dept(f"{TOBACCO}-BGS", "办公室", f"{_ZB1}-XZ1",
             head("主任", TOBACCO, username="office", roles=((Role.OFFICE, TOBACCO),),
                  titles=((T.MEMBER, TOBACCO), (T.OFFICE_DIRECTOR, TOBACCO))),
             Seat("副主任"), Seat("一级主任科员"),
             Seat("科员", username="clerk", roles=((Role.RECORDS_CLERK, TOBACCO),),
                  titles=((T.RECORDS_CLERK, TOBACCO),)),
             Seat("科员"), Seat("驾驶员")),
        dept(f"{TOBACCO}-DJ", "党建工作科（机关党委办公室）", f"{_ZB1}-XZ2",
             head("科长", TOBACCO), Seat("副科长", roles=((Role.ASSESSOR, TOBACCO),)),
             Seat("二级主任科员"), Seat("科员", 2), short="党建工作科"),
        dept(f"{TOBACCO}-RL", "人力资源科", f"{_ZB1}-XZ2",
             head("科长", TOBACCO, roles=((Role.ASSESSOR, TOBACCO),)), Seat("副科长"), Seat("科员", 2)),
        dept(f"{TOBACCO}-JJ", "纪检组（纪委）办公室", f"{_ZB1}-XZ2",
             head("主任", TOBACCO), Seat("副主任"), Seat("科员"), short="纪检办"),
        dept(f"{TOBACCO}-CW", "财务管理科", f"{_ZB2}-XZ1",
             head("科长", TOBACCO, username="head"), Seat("副科长"), Seat("一级主任科员"),
             Seat("科员", username="staff"), Seat("科员")),
        dept(f"{TOBACCO}-SJ", "内部审计科", f"{_ZB2}-XZ1",
             head("科长", TOBACCO), Seat("科员", username="auditor", roles=((Role.AUDIT_ADMIN, TOBACCO),)),
             Seat("科员"), short="审计科"),
        dept(f"{TOBACCO}-QG", "企业管理科", f"{_ZB2}-XZ2",
             head("科长", TOBACCO, roles=((Role.ASSESSOR, TOBACCO),)), Seat("科员", 2)),
        dept(f"{TOBACCO}-XX", "信息中心", f"{_ZB2}-XZ2",
             head("主任", TOBACCO), Seat("工程师", username="sysadmin", roles=((Role.SYSTEM_ADMIN, TOBACCO),)),
             Seat("工程师", username="secadmin", roles=((Role.SECURITY_ADMIN, TOBACCO),)), Seat("科员")),
        dept(f"{TOBACCO}-ZM", "专卖监督管理科", f"{_ZBZM}-XZ1",
             head("科长", TOBACCO), Seat("副科长"), Seat("科员", 2)),
        dept(f"{TOBACCO}-JC", "专卖稽查支队", f"{_ZBZM}-XZ2",
             head("支队长", TOBACCO), Seat("副支队长"), Seat("稽查员", 4)),
        dept(f"{TOBACCO}-YX", "卷烟营销中心", _ZBYX,
             head("主任", TOBACCO), Seat("副主任"), Seat("市场经理"), Seat("品牌经理"), Seat("客户经理", 3),
             short="营销中心"),
        dept(f"{TOBACCO}-YY", "烟叶生产经营科", _ZBYY,
             head("科长", TOBACCO), Seat("副科长"), Seat("烟叶技术员", 2), Seat("科员"), short="烟叶科"),
        Node(_WL, "衡州市烟草公司物流配送中心", K.SUBORDINATE_UNIT, short="物流配送中心", party=f"{_WL}-ZB-XZ1",
             staff=(leader("主任", roles=((Role.LEADER, _WL),), titles=((T.MEMBER, TOBACCO),)), leader("副主任")),
             children=(
                 dept(f"{_WL}-BGS", "综合办公室", f"{_WL}-ZB-XZ1",
                      head("主任", roles=((Role.OFFICE, _WL),)), Seat("科员", 2)),
                 dept(f"{_WL}-CC", "仓储分拣车间", f"{_WL}-ZB-XZ2",
                      head("主任"), Seat("副主任"), Seat("分拣员", 6)),
                 dept(f"{_WL}-PS", "配送车间", f"{_WL}-ZB-XZ3",
                      head("主任"), Seat("送货员", 5), Seat("驾驶员", 2)),
                 party(f"{_WL}-ZB", "物流配送中心党支部", K.PARTY_BRANCH, children=(
                     party(f"{_WL}-ZB-XZ1", "物流综合党小组", K.PARTY_GROUP),
                     party(f"{_WL}-ZB-XZ2", "分拣车间党小组", K.PARTY_GROUP),
                     party(f"{_WL}-ZB-XZ3", "配送车间党小组", K.PARTY_GROUP),
                 )),
             )),
        _county("LJ", "临江县", stations=("河口", "石桥")),
        _county("QS", "青山县", stations=("茶岭", "龙潭")),
        _county("BS", "白石县", stations=("白沙",)),
        _county("AP", "安平县"),
        party(f"{TOBACCO}-DZ", "中共衡州市烟草专卖局（公司）党组", K.PARTY_COMMITTEE, short="市局（公司）党组"),
        party(f"{TOBACCO}-JGDW", "中共衡州市烟草专卖局（公司）机关委员会", K.PARTY_COMMITTEE, short="机关党委", children=(
            party(_ZB1, "市局机关第一党支部", K.PARTY_BRANCH, short="机关第一党支部", children=(
                party(f"{_ZB1}-XZ1", "第一支部综合党小组", K.PARTY_GROUP, short="综合党小组"),
                party(f"{_ZB1}-XZ2", "第一支部党建人事党小组", K.PARTY_GROUP, short="党建人事党小组"),
            )),
            party(_ZB2, "市局机关第二党支部", K.PARTY_BRANCH, short="机关第二党支部", children=(
                party(f"{_ZB2}-XZ1", "第二支部财审党小组", K.PARTY_GROUP, short="财审党小组"),
                party(f"{_ZB2}-XZ2", "第二支部企管信息党小组", K.PARTY_GROUP, short="企管信息党小组"),
            )),
            party(_ZBZM, "市局专卖党支部", K.PARTY_BRANCH, short="专卖党支部", children=(
                party(f"{_ZBZM}-XZ1", "专卖监督党小组", K.PARTY_GROUP),
                party(f"{_ZBZM}-XZ2", "稽查支队党小组", K.PARTY_GROUP),
            )),
            party(_ZBYX, "市局营销党支部", K.PARTY_BRANCH, short="营销党支部"),
            party(_ZBYY, "市局烟叶党支部", K.PARTY_BRANCH, short="烟叶党支部"),
        )),
    ),
)

_MT1, _MT2 = f"{COAL}-ZB-XZ1", f"{COAL}-ZB-XZ2"

# 由主任任组长，副主任邓正任常务副组长，文成、张生任副组长，各股室负责人为成员；
# 刘华兼办公室主任，周城为资料员。The speech does not name the director.
COAL_TREE = Node(
    COAL, "衡州市煤炭事务中心", K.AGENCY, short="煤炭事务中心", party=f"{COAL}-ZB",
    staff=(
        leader("党支部书记、主任", name="谭振华", roles=((Role.LEADER, COAL),), titles=((T.HEAD, COAL),)),
        leader("副主任", name="邓正", roles=((Role.LEADER, COAL),), titles=((T.EXECUTIVE_DEPUTY, COAL),)),
        # 中心领导小组将对各股室创建活动进行考核评议: the deputy heads review the sections' scorecards.
        leader("副主任", name="文成", username="wencheng", roles=((Role.LEADER, COAL), (Role.ASSESSOR, COAL)),
               titles=((T.DEPUTY, COAL),)),
        leader("总工程师", name="张生", roles=((Role.LEADER, COAL), (Role.ASSESSOR, COAL)), titles=((T.DEPUTY, COAL),)),
    ),
    children=(
        dept(f"{COAL}-BGS", "办公室", _MT1,
             head("主任", name="刘华", username="liuhua", roles=((Role.OFFICE, COAL),),
                  titles=((T.MEMBER, COAL), (T.OFFICE_DIRECTOR, COAL))),
             Seat("科员", name="周城", username="zhoucheng", roles=((Role.RECORDS_CLERK, COAL),),
                  titles=((T.RECORDS_CLERK, COAL),)),
             Seat("科员", roles=((Role.SECURITY_ADMIN, COAL),)), Seat("驾驶员")),
        dept(f"{COAL}-AQ", "安全监管股", _MT2, head("股长", COAL), Seat("副股长"), Seat("科员", 3)),
        dept(f"{COAL}-HY", "行业管理股", _MT2, head("股长", COAL), Seat("科员", 3)),
        dept(f"{COAL}-JS", "技术服务股", _MT2, head("股长", COAL), Seat("工程师", 2), Seat("助理工程师")),
        dept(f"{COAL}-GH", "规划发展股", _MT1,
             head("股长", COAL, username="guihua"), Seat("科员", roles=((Role.SYSTEM_ADMIN, COAL),)), Seat("科员")),
        dept(f"{COAL}-CW", "财务股", _MT1,
             head("股长", COAL), Seat("会计", roles=((Role.AUDIT_ADMIN, COAL),)), Seat("出纳")),
        party(f"{COAL}-ZB", "中共衡州市煤炭事务中心机关支部委员会", K.PARTY_BRANCH, short="机关支部", children=(
            party(_MT1, "机关支部第一党小组", K.PARTY_GROUP, short="第一党小组"),
            party(_MT2, "机关支部第二党小组", K.PARTY_GROUP, short="第二党小组"),
        )),
    ),
)

# The city's organ work committee sends the inspection team (检查组) that reads a ledger for a while.
COMMITTEE_TREE = Node(
    COMMITTEE, "中共衡州市直属机关工作委员会", K.AGENCY, short="市直机关工委",
    children=(
        dept(f"{COMMITTEE}-DC", "督查考核室", "",
             Seat("检查组组长", username="inspector", roles=((Role.INSPECTOR, TOBACCO),))),
    ),
)

TREES = (TOBACCO_TREE, COAL_TREE, COMMITTEE_TREE)

LEADING_GROUPS = (
    (TOBACCO, "模范机关创建工作领导小组", datetime.date(2023, 3, 1),
     "领导小组办公室设在市局办公室，负责创建工作的目标策划、任务分解、督导落实、绩效评价，收集整理佐证资料。"),
    (COAL, "模范机关创建工作领导小组", datetime.date(2024, 5, 7),
     "发挥牵头抓总、综合协调作用，结合工作实际，主动帮促和跟踪问效，及时发现和解决问题，确保模范机关创建走稳步、不漏项。"),
)

INSPECTION_NOTE = "模范机关创建迎检"

# The logins printed at the end: (username, what the account shows).
DEMO_LOGINS = (
    ("sysadmin", _("Units and accounts of the tobacco bureau; no business data")),
    ("secadmin", _("Grants and revokes roles in the tobacco bureau")),
    ("auditor", _("The audit trail of the tobacco bureau")),
    ("leader", _("The whole tobacco bureau, read-only")),
    ("office", _("The whole tobacco bureau; runs the leading group office")),
    ("clerk", _("The whole tobacco bureau; keeps the evidence ledger")),
    ("head", _("Own department, with phone numbers")),
    ("staff", _("Own department only")),
    ("county", _("Own section of a county bureau only")),
    ("liuhua", _("The whole coal affairs centre; runs its leading group office")),
    ("zhoucheng", _("The whole coal affairs centre; keeps its evidence ledger")),
    ("wencheng", _("Leading group deputy head of the coal affairs centre; reviews the sections' scorecards")),
    ("guihua", _("Head of a coal centre section; its self-assessment is half done")),
    ("inspector", _("The tobacco bureau's units, read-only, for 30 days")),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Common given names, one or two characters, as they appear on a real roster.
MALE_NAMES = (
    "建国 志强 建华 国强 建军 伟 军 勇 斌 涛 波 磊 鹏 杰 峰 刚 辉 明 亮 超 浩 宇 俊杰 志刚 海涛 文斌 晓东 立新 "
    "永刚 卫东 红兵 小龙 国平 振华 德明 春生 新民 志勇 明辉 建平 文杰 晨阳 子豪 浩然 宇航 鑫 凯 雷 毅 林 "
    "家俊 泽宇 博文 思远 天宇 俊 航 昊 正阳 立伟 建新 光明 红军 长青 学军 金龙 水生 旭东 永胜"
).split()
FEMALE_NAMES = (
    "丽 娟 敏 静 燕 芳 玲 婷 霞 红 艳 琳 慧 颖 雪 梅 琴 萍 洁 晶 倩 瑶 莉 娜 丽华 秀英 桂英 玉兰 "
    "晓燕 晓红 丽娟 海燕 春梅 小红 美玲 雅琴 文静 思琪 雨欣 佳怡 欣怡 梦瑶 诗涵 婉婷 晓丽 秀兰 "
    "玉梅 红梅 凤英 淑芬 丽萍 晓梅 慧敏 雪梅 婷婷 静怡 佳琪 欣然"
).split()
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                  "153", "155", "156", "158", "159", "177", "180", "182", "186", "187", "188", "189", "199")


def story_time(day: datetime.date) -> datetime.datetime:
    """9 a.m. of ``day`` (today at the latest): when a step of the demo's story was taken. The demo
    builds through the actions, which stamp the seeding moment; the story's dates are written after."""
    day = min(day, timezone.localdate())
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
