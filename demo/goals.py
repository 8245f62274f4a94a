"""The tobacco bureau's goal management (seeds/000): "引入模范机关创建标准，从目标领域、衡量标准、重点举措
……有机对接标准，务实设定指标，一体贯通目标策划、任务分解、督导落实、绩效评价".

The bureau's 2026 plan is published with goals tied to the dimensions and indicators of its standard,
decomposed down to the county bureaus' sections, stations and party branches ("市局（公司）-直属单位-
党支部"), and left under way on 2026-11-23 with every step on show: tasks issued and not yet signed,
one declined, reports accepted, returned and waiting, tasks done, late, rescheduled and withdrawn,
supervision notices replied, closed, escalated and overdue, and recorded adjustments. A draft plan for
2027 is being written. Everything goes through goals.actions and goals.supervision as the right
person (the office that issued a task reviews it, the lead unit signs and its owner reports), so the
audit trail and every rule hold; story dates are passed where an action asks for "today". A second
run finds the plans by unit and year and writes nothing.
"""

import datetime
from dataclasses import dataclass

from accounts import permissions
from accounts.models import RoleGrant, User
from accounts.roles import TASK_REPORT, Role
from goals import actions, supervision
from goals.models import Cadence, Plan, ProgressReport, ReportStatus, SupervisionLevel, SupervisionNotice, Task
from organization.models import Unit
from standard.models import Level, Node, Standard, StandardStatus

from . import data

YEAR = 2026
TITLE = "2026年度模范机关创建目标计划"
NEXT_TITLE = "2027年度模范机关创建目标计划"
NOBODY = "-"  # a task issued to a unit without naming its owner
ACCEPT, WAIT = "accept", "wait"  # how the issuer answers a report; any other text returns it with that reason
SIGN = "sign"
M, Q, W = Cadence.MONTHLY, Cadence.QUARTERLY, Cadence.WEEKLY
C = data.TOBACCO


def _d(month, day, year=YEAR):
    return datetime.date(year, month, day)


@dataclass(frozen=True)
class Report:
    period: datetime.date
    percent: str
    done: str
    problems: str = ""
    support: str = ""
    review: str = ACCEPT


@dataclass(frozen=True)
class Decline:
    reason: str


@dataclass(frozen=True)
class Reassign:
    lead: str
    reason: str


@dataclass(frozen=True)
class Reschedule:
    due: datetime.date
    reason: str
    on: datetime.date  # the day the issuer moved it: whether it was red then decides its light floor


@dataclass(frozen=True)
class Withdraw:
    reason: str


@dataclass(frozen=True)
class T:
    """A task; its children are added once it is signed for, then the rest of its steps run."""

    title: str
    lead: str
    start: datetime.date
    due: datetime.date
    key: str = ""
    owner: str = ""  # a unit code (its first person), "CODE/position", a login, NOBODY; default: the lead's first person
    supporting: tuple = ()
    cadence: str = M
    output: str = ""
    weight: str = "1"
    milestones: tuple = ()  # (title, due)
    steps: tuple = (SIGN,)
    children: tuple = ()


@dataclass(frozen=True)
class G:
    node: str  # "dimension" or "dimension/indicator" of the standard
    title: str
    measure: str
    target: str
    key_actions: str
    owner: str
    weight: str
    tasks: tuple = ()


@dataclass(frozen=True)
class Escalate:
    reason: str
    reply_due: datetime.date
    on: datetime.date


@dataclass(frozen=True)
class Notice:
    reason: str
    issued_on: datetime.date
    reply_due: datetime.date
    task: str = ""  # key of the task; or the unit as a whole
    unit: str = ""
    issuing: str = ""  # default: the task's issuer
    reply: str = ""
    outcome: object = None  # "close" or Escalate


GOALS = (
    G("政治过硬/理论武装", "落实“1+2+X+5”理论学习模式，推动理论武装走深走实",
      "党组理论学习中心组每季度举办1次交流研讨，全年举办2场现场党性教育，落实党组会“第一议题”制度，5名市局领导开展沉浸式督学；"
      "“四个一”学习机制在全市系统常态运行。",
      "中心组交流研讨4次、现场党性教育2场",
      "1. 构建“每周一学、每周一推、两周一议、每周一题”的“四个一”学习机制；\n2. 分专题举办读书班；\n"
      "3. 发挥市理论宣讲示范基地作用，市局领导开展沉浸式督学。",
      f"{C}-DJ", "15", (
        T("党组理论学习中心组季度交流研讨", f"{C}-DJ", _d(1, 5), _d(12, 25), supporting=(f"{C}-BGS",), cadence=Q,
          output="研讨方案、学习纪要、交流发言材料",
          milestones=(("一季度交流研讨", _d(3, 31)), ("二季度交流研讨", _d(6, 30)), ("三季度交流研讨", _d(9, 30)),
                      ("四季度交流研讨", _d(12, 20))),
          steps=(SIGN,
                 Report(_d(3, 31), "25", "3月28日举办一季度交流研讨，围绕党的二十届三中全会精神开展专题交流，5名党组成员作交流发言。"),
                 Report(_d(6, 30), "50", "6月26日举办二季度交流研讨，市直机关工委旁听组列席指导并予以肯定。"),
                 Report(_d(9, 30), "75", "9月25日举办三季度交流研讨，结合“解剖麻雀式”调研成果开展交流。"))),
        T("开展现场党性教育", f"{C}-DJ", _d(3, 1), _d(10, 31), cadence=Q, output="活动方案、现场照片、心得体会",
          milestones=(("第一场现场党性教育", _d(5, 31)), ("第二场现场党性教育", _d(10, 15))),
          steps=(SIGN,
                 Report(_d(6, 20), "50", "5月22日组织机关党员赴革命纪念馆开展第一场现场党性教育，参加86人。"),
                 Report(_d(10, 28), "100", "10月15日在市理论宣讲示范基地开展第二场现场党性教育，全年2场任务完成。"))),
        T("临江县局落实“四个一”学习机制", f"{C}-LJ", _d(2, 1), _d(12, 31), supporting=(f"{C}-DJ",),
          output="年度学习计划、学习台账、研讨记录", milestones=(("制定年度学习计划", _d(2, 28)),),
          steps=(SIGN,
                 Report(_d(10, 31), "65", "县局机关和各股室按“四个一”机制建立学习台账，1-10月累计开展集中学习38次。",
                        problems="个别股室“两周一议”记录不够规范。")),
          children=(
              T("专卖管理所“每周一学、每周一题”", f"{C}-LJ-ZMS", _d(2, 15), _d(12, 20),
                output="学习签到表、每周一题答题记录",
                steps=(SIGN,
                       Report(_d(5, 31), "40", "每周一开展集中学习，结合专卖法律法规设置“每周一题”，累计15期。"),
                       Report(_d(8, 31), "65", "“每周一题”累计28期，专卖管理员参与率100%。"),
                       Report(_d(10, 31), "80", "“每周一题”累计37期，编印应知应会题库1册。"))),
              T("营销股“每周一推”学习分享", f"{C}-LJ-YX", _d(3, 1), _d(12, 20), key="lj-yx-push", owner="county",
                output="学习分享推文、交流记录",
                steps=(SIGN,
                       Report(_d(6, 30), "45", "每周向客户经理推送1篇学习文章，累计推送17篇。"),
                       Report(_d(10, 31), "70", "7-10月继续开展“每周一推”，累计推送34篇。",
                              review="佐证材料只有签到表，缺少推送内容和交流记录，请补充后重新报送。"),
                       Report(_d(11, 20), "72", "补充7-10月每周推送的学习内容清单和4次交流发言记录；11月新增推送3篇。",
                              review=WAIT))),
          )),
      )),
    G("政治过硬/意识形态与政治生态", "强化政治监督，全面开展“一把手”政治监督谈话",
      "对直属单位“一把手”和领导班子政治监督谈话覆盖率100%；谈话发现的问题建立清单、整改销号。",
      "覆盖率100%",
      "1. 制定年度政治监督谈话工作方案；\n2. 市局党组成员分片开展市县一把手政治监督谈话；\n3. 建立问题清单，跟踪督促整改。",
      f"{C}-JJ", "10", (
        T("制定政治监督谈话工作方案", f"{C}-JJ", _d(1, 10), _d(2, 28), output="工作方案",
          steps=(SIGN, Report(_d(2, 26), "100", "2月25日经党组会审议，印发《2026年政治监督谈话工作方案》。"))),
        T("直属单位“一把手”政治监督谈话", f"{C}-JJ", _d(3, 1), _d(11, 30), key="talks", supporting=(f"{C}-DJ",),
          output="谈话记录、问题清单",
          milestones=(("完成县局谈话", _d(6, 30)), ("完成物流配送中心谈话", _d(11, 15))),
          steps=(SIGN,
                 Report(_d(5, 31), "30", "完成临江、青山两个县局“一把手”政治监督谈话。"),
                 Report(_d(8, 31), "55", "完成白石县局谈话，形成问题清单12条。",
                        problems="安平县局和物流配送中心谈话因巡察工作安排推迟。"))),
        T("谈话发现问题整改“回头看”", f"{C}-JJ", _d(12, 1), _d(12, 31), output="整改销号清单", steps=()),
      )),
    G("组织过硬/党支部标准化规范化建设", "推动党支部标准化规范化建设从达标向提质转变",
      "全市系统党支部标准化规范化达标验收通过率100%，验收反馈问题整改销号率100%，标准化建设向党小组一级延伸。",
      "达标率100%",
      "1. 落实“3121”工作法：党组统领、条线统筹、基层实践三级联动，一套标准化规范化体系，达标验收和动态管理两个机制，"
      "向党小组一级延伸；\n2. 构建“1+10+3”党支部标准化规范化建设体系；\n3. 严格达标验收，反馈问题清单，持续推动改进提升。",
      f"{C}-DJ", "20", (
        T("临江县局党支部标准化规范化提质", f"{C}-LJ", _d(3, 1), _d(12, 15), supporting=(f"{C}-DJ",),
          output="自查报告、验收问题整改清单",
          milestones=(("完成达标自查", _d(6, 30)), ("迎接市局达标验收", _d(10, 31))),
          steps=(SIGN,
                 Report(_d(6, 30), "40", "党总支组织3个党支部完成达标自查，形成问题清单17条。"),
                 Report(_d(10, 31), "75", "自查问题整改完毕，10月28日通过市局达标验收，反馈问题8条正在整改。")),
          children=(
              T("党总支组织所属党支部达标自查", f"{C}-LJ-DZZ", _d(3, 15), _d(9, 30), owner=f"{C}-LJ",
                output="党支部自查报告",
                steps=(SIGN,
                       Report(_d(5, 31), "50", "机关党支部、专卖营销党支部完成自查。"),
                       Report(_d(9, 25), "100", "烟站党支部完成自查整改，3个党支部自查报告报送市局。")),
                children=(
                    T("烟站党支部对照“1+10+3”体系自查整改", f"{C}-LJ-ZBYZ", _d(4, 1), _d(9, 20), owner=f"{C}-LJ-YZ1",
                      output="自查整改台账",
                      steps=(SIGN,
                             Report(_d(6, 30), "60", "对照体系逐项自查，河口、石桥两个烟站党小组台账补齐。"),
                             Report(_d(9, 18), "100", "自查问题9条全部整改到位。"))),
                    T("专卖营销党支部“两级六岗”责任清单上墙", f"{C}-LJ-ZBZY", _d(4, 1), _d(8, 31), owner=f"{C}-LJ-ZMS",
                      output="责任清单、上墙照片",
                      steps=(SIGN,
                             Report(_d(5, 31), "50", "党支部、党小组“两级六岗”责任清单编制完成。"),
                             Report(_d(8, 28), "100", "责任清单在专卖管理所、营销股上墙公示。"))),
                )),
              T("迎接市局达标验收并整改反馈问题", f"{C}-LJ-DZZ", _d(10, 1), _d(12, 15), owner=f"{C}-LJ",
                output="验收问题整改报告",
                steps=(SIGN, Report(_d(11, 15), "55", "市局验收反馈问题8条，已整改销号4条。")),
                children=(
                    T("烟站党支部验收问题整改销号", f"{C}-LJ-ZBYZ", _d(10, 10), _d(11, 20), key="lj-station-fix",
                      owner=f"{C}-LJ-YZ1", cadence=W, output="整改销号清单",
                      milestones=(("党员活动室阵地改造完工", _d(11, 15)),),
                      steps=(SIGN,
                             Report(_d(10, 31), "60", "验收反馈问题5条，已整改销号3条。",
                                    problems="石桥烟站党员活动室阵地建设需等待烟站改造完工。",
                                    support="请县局协调烟站改造工程进度。"))),
                    T("专卖营销党支部验收问题整改", f"{C}-LJ-ZBZY", _d(10, 10), _d(12, 10), owner=f"{C}-LJ-ZMS",
                      output="整改销号清单",
                      steps=(SIGN, Report(_d(11, 15), "50", "验收反馈问题3条，“三会一课”记录规范问题已整改。"))),
                )),
          )),
        T("青山县局党支部标准化规范化提质", f"{C}-QS", _d(3, 1), _d(12, 15), supporting=(f"{C}-DJ",),
          output="自查报告、验收问题整改清单",
          steps=(SIGN,
                 Report(_d(6, 30), "40", "完成机关党支部、烟站党支部达标自查。"),
                 Report(_d(9, 30), "55", "烟站党支部“两级六岗”责任清单正在落实。",
                        problems="机关党支部“三会一课”台账不够规范。")),
          children=(
              T("烟站党支部“两级六岗”责任清单落实", f"{C}-QS-ZBYZ", _d(4, 1), _d(10, 31), key="qs-station",
                owner=f"{C}-QS-YZ1", output="责任清单、公示照片",
                steps=(SIGN,
                       Report(_d(7, 31), "50", "茶岭、龙潭两个烟站党小组责任清单编制完成。"),
                       Reschedule(_d(12, 15), "茶岭烟站站长岗位调整，责任清单需重新公示，延期至12月15日。", on=_d(11, 5)))),
              T("机关党支部“三会一课”规范化台账", f"{C}-QS-ZBJG", _d(3, 1), _d(10, 31), key="qs-records",
                owner=f"{C}-QS-BGS/科员", output="“三会一课”台账",
                steps=(SIGN, Report(_d(6, 30), "60", "上半年“三会一课”记录按月归档。"))),
          )),
        T("白石县局党支部标准化规范化提质", f"{C}-BS", _d(3, 1), _d(10, 31), key="bs-branches", supporting=(f"{C}-DJ",),
          output="自查报告、验收问题整改清单",
          steps=(SIGN,
                 Report(_d(6, 30), "50", "完成3个党支部达标自查，形成问题清单11条。"),
                 Report(_d(9, 30), "65", "问题清单整改7条。", problems="白沙烟站党小组设置调整尚未完成。"))),
        T("安平县局烟站党小组标准化建设", f"{C}-AP", _d(11, 1), _d(12, 31), key="ap-stations",
          steps=(Decline("安平县局无烟叶种植，未设烟站和烟站党小组，不涉及该项任务，建议调整为机关党支部标准化建设任务。"),)),
      )),
    G("组织过硬/领航示范", "深化“双争一创”行动，推行基层党建“领航”计划",
      "以达标党支部为主体建立“领航”培育库、示范库；编印典型案例集，开展特色做法培训交流，发挥达标先进党支部的领航示范作用。",
      "培育库10个、示范库5个",
      "1. 建立“领航”培育库、示范库；\n2. 编印基层党建典型案例集；\n3. 开展特色做法培训交流。",
      f"{C}-DJ", "10", (
        T("建立“领航”培育库和示范库", f"{C}-DJ", _d(3, 1), _d(6, 30), output="培育库、示范库名单",
          steps=(SIGN,
                 Report(_d(4, 30), "50", "各直属单位推荐培育对象14个。"),
                 Report(_d(6, 28), "100", "经党组审定，入选培育库12个、示范库6个党支部。"))),
        T("编印基层党建典型案例集", f"{C}-DJ", _d(7, 1), _d(10, 31), key="cases", supporting=(f"{C}-BGS",),
          output="典型案例集1册", milestones=(("完成案例征集", _d(9, 30)),),
          steps=(SIGN,
                 Report(_d(8, 31), "40", "征集基层党建典型案例26篇。"),
                 Reschedule(_d(11, 27), "案例征集范围扩大至各县局和物流配送中心，延期至11月27日。", on=_d(10, 20)),
                 Report(_d(11, 20), "60", "完成案例初审，选定20篇进入编辑。", problems="案例修改稿返回较慢。", review=WAIT))),
        T("物流配送中心“党建+物流”领航示范点创建", f"{C}-WL", _d(4, 1), _d(12, 31), supporting=(f"{C}-DJ",),
          output="示范点创建方案、总结",
          steps=(SIGN, Report(_d(9, 30), "60", "创建方案印发，仓储分拣车间党员先锋岗挂牌。")),
          children=(
              T("仓储分拣车间党员先锋岗创建", f"{C}-WL-CC", _d(5, 1), _d(12, 20), output="先锋岗挂牌照片、承诺书",
                steps=(SIGN,
                       Report(_d(7, 31), "40", "设立党员先锋岗6个，党员作出公开承诺。"),
                       Report(_d(10, 31), "70", "分拣差错率同比下降18%，先锋岗月度评比3次。"))),
              T("配送车间“红色配送线”创建", f"{C}-WL-PS", _d(5, 1), _d(12, 20),
                steps=(SIGN, Withdraw("与仓储分拣车间党员先锋岗创建内容重复，并入该项任务统一推进。"))),
          )),
      )),
    G("作风过硬/为民服务", "深化“为民惠企争模范”行动，办好惠及烟农和零售客户的实事",
      "“我为群众办实事”项目按期办结；“烟捷贷”“烟农e贷”扩面增量，烟农和零售客户融资需求有效满足。",
      "办实事项目20项",
      "1. 开展“我为群众办实事”主题实践活动；\n2. 创新银企合作，推广“烟捷贷”“烟农e贷”；\n3. 机关党员下沉烟站、零售终端解难题。",
      f"{C}-YX", "15", (
        T("“烟捷贷”零售客户融资服务扩面", f"{C}-YX", _d(1, 15), _d(12, 31), supporting=(f"{C}-CW",),
          output="授信情况统计表",
          steps=(SIGN,
                 Report(_d(4, 30), "30", "新增授信零售客户860户。"),
                 Report(_d(7, 31), "60", "累计新增授信1730户，授信金额1.2亿元。"),
                 Report(_d(10, 31), "80", "累计新增授信2310户，授信金额1.6亿元。"))),
        T("“烟农e贷”烟农融资服务", f"{C}-YY", _d(2, 1), _d(11, 30), output="服务烟农台账",
          steps=(SIGN,
                 Report(_d(6, 30), "50", "为烟农发放“烟农e贷”520户，金额0.46亿元。"),
                 Report(_d(10, 31), "85", "累计服务烟农910户，金额0.83亿元。"))),
        T("烟农补贴资金拨付“一次办”", f"{C}-CW", _d(4, 1), _d(12, 20), key="subsidy", owner="staff",
          supporting=(f"{C}-YY",), output="拨付流程图、拨付台账",
          steps=(SIGN,
                 Report(_d(9, 30), "60", "优化补贴资金拨付流程，审批环节由5个减为3个。"),
                 Report(_d(11, 18), "75", "完成前三季度补贴资金拨付，平均到账时间缩短至3个工作日。", review=WAIT))),
      )),
    G("纪律过硬/廉洁文化与警示教育", "推进新时代“1+N”廉洁文化建设",
      "每季度开展1次警示教育，节假日前落实中央八项规定精神专项检查，廉洁文化阵地覆盖各县局。",
      "警示教育4次",
      "1. 长效开展廉洁纪律和警示教育，深化以案为鉴、以案促改；\n2. 紧盯重点领域和关键环节开展专项检查；\n3. 建设廉洁文化阵地。",
      f"{C}-JJ", "10", (
        T("季度警示教育", f"{C}-JJ", _d(1, 10), _d(12, 20), cadence=Q, output="警示教育方案、签到表",
          steps=(SIGN,
                 Report(_d(3, 31), "25", "一季度召开警示教育大会，通报行业典型案例4起。"),
                 Report(_d(6, 30), "50", "二季度组织旁听职务犯罪庭审。"),
                 Report(_d(9, 30), "75", "三季度开展廉洁文化主题党日。"))),
        T("中秋国庆节前落实中央八项规定精神专项检查", f"{C}-JJ", _d(9, 1), _d(10, 20),
          supporting=(f"{C}-CW", f"{C}-BGS"), output="专项检查报告",
          steps=(SIGN, Report(_d(10, 18), "100", "检查直属单位5家，发现问题3个，已督促整改。"))),
        T("县局廉洁文化阵地建设", f"{C}-JJ", _d(9, 1), _d(12, 31),
          supporting=(f"{C}-LJ", f"{C}-QS", f"{C}-BS", f"{C}-AP"), output="阵地建设照片"),
      )),
    G("能力过硬/队伍建设", "深化人事改革，构建“一校三基地”培训格局",
      "开展干部大调研，选优配强直属单位领导班子；“一校三基地”培训覆盖全体员工；建成技能人才工作室。",
      "技能人才工作室2个",
      "1. 开展干部大调研；\n2. 推进青年托举人才工作；\n3. 建设技能人才工作室，构建“一校三基地”培训格局。",
      f"{C}-RL", "10", (
        T("开展干部大调研", f"{C}-RL", _d(2, 1), _d(5, 31), output="调研报告",
          steps=(SIGN, Report(_d(5, 29), "100", "完成直属单位干部大调研，形成调研报告1篇。"))),
        T("建设技能人才工作室", f"{C}-RL", _d(4, 1), _d(12, 31), supporting=(f"{C}-WL",), cadence=Q,
          output="工作室建设方案、挂牌照片",
          steps=(SIGN,
                 Report(_d(6, 30), "30", "确定物流分拣、烟叶分级2个工作室建设方案。"),
                 Report(_d(9, 30), "50", "物流分拣技能人才工作室挂牌。"))),
        T("青年托举人才培养计划", f"{C}-QG", _d(5, 1), _d(12, 31), key="youth", owner=NOBODY, output="培养计划、人才名单",
          steps=(Decline("青年人才培养属人力资源科职责，建议由人力资源科牵头，企业管理科配合。"),
                 Reassign(f"{C}-RL", "按职责分工，牵头单位由企业管理科调整为人力资源科。"),
                 SIGN,
                 Report(_d(9, 30), "45", "遴选青年托举人才培养对象24名，结对导师到位。"))),
      )),
    G("能力过硬/目标管理与重点任务", "加大高标准基本烟田建设，保持烟农增收全国领先",
      "全市烟农户均种植规模和户均烟叶收入保持全国领先。",
      "户均种植规模65亩",
      "1. 加大高标准基本烟田建设；\n2. 配套烟田水利、机耕路设施；\n3. 提前安排下年度烟叶生产收购计划。",
      f"{C}-YY", "10", (
        T("临江县高标准基本烟田建设", f"{C}-LJ", _d(1, 15), _d(11, 15), supporting=(f"{C}-YY",),
          output="建设项目验收资料",
          steps=(SIGN,
                 Report(_d(8, 31), "70", "完成基本烟田建设1.2万亩。"),
                 Report(_d(10, 31), "80", "机耕路项目完工，水利配套项目进入验收。")),
          children=(
              T("烟叶股基本烟田建设项目推进", f"{C}-LJ-YY", _d(1, 20), _d(11, 10), output="项目进度台账",
                steps=(SIGN,
                       Report(_d(4, 30), "40", "完成项目招标和施工准备。"),
                       Report(_d(8, 31), "70", "土地整理完成，水利配套施工中。",
                              problems="汛期影响施工进度。", support="请市局协调项目验收时间。"))),
              T("河口烟站烟田机耕路建设", f"{C}-LJ-YZ1", _d(3, 1), _d(10, 31), output="机耕路验收单",
                milestones=(("完成路基施工", _d(6, 30)),),
                steps=(SIGN,
                       Report(_d(6, 30), "80", "完成机耕路路基施工4.6公里。"),
                       Report(_d(10, 30), "100", "机耕路硬化完工并通过验收。"))),
          )),
        T("2027年烟叶生产收购计划预安排", f"{C}-YY", _d(11, 16), _d(12, 31), output="计划预安排方案", steps=()),
      )),
)

NOTICES = (
    Notice("白石县局党支部标准化规范化提质任务已逾期，达标验收尚未完成，请说明原因并报送整改计划。",
           issued_on=_d(11, 3), reply_due=_d(11, 10), task="bs-branches",
           reply="已制定整改计划，机关党支部和专卖营销党支部11月底前完成验收整改。",
           outcome=Escalate("回复未明确整改责任人和完成时限，任务仍处于逾期状态，升级为督办。", _d(11, 27), on=_d(11, 16))),
    Notice("政治监督谈话进度滞后于年度计划，请说明剩余单位谈话安排。",
           issued_on=_d(10, 20), reply_due=_d(10, 27), task="talks",
           reply="已完成3个县局谈话，安平县局和物流配送中心谈话安排在11月中旬完成。", outcome="close"),
    Notice("青山县局“三会一课”规范化台账任务逾期未完成，烟站党支部责任清单落实延期，请说明原因并报送整改措施。",
           issued_on=_d(11, 10), reply_due=_d(11, 17), unit=f"{C}-QS", issuing=C),
    Notice("烟站党支部验收问题整改销号已超期，请说明未销号问题的整改时限。",
           issued_on=_d(11, 21), reply_due=_d(11, 26), task="lj-station-fix", issuing=f"{C}-LJ"),
)

# (goal number, changed fields, reason): adjustments of the published plan besides the rescheduled tasks.
ADJUSTMENTS = (
    (4, {"target_value": "培育库12个、示范库6个"}, "根据年中推进会要求扩大“领航”培育覆盖面，目标值相应调高。"),
)

NEXT_GOALS = (
    G("政治过硬/理论武装", "巩固深化主题教育成果，健全“四个一”学习长效机制", "“四个一”学习机制覆盖全市系统各党支部。",
      "覆盖率100%", "1. 总结推广“1+2+X+5”理论学习模式；\n2. 健全学习督导机制。", f"{C}-DJ", "50"),
    G("组织过硬", "党支部标准化规范化建设向党小组全面延伸", "党小组标准化建设达标验收通过率100%。",
      "达标率100%", "1. 制定党小组标准化建设指引；\n2. 开展达标验收。", f"{C}-DJ", "50"),
)


class _Builder:
    """Who does what: the office above a unit issues and reviews, the lead unit signs, the owner reports."""

    def __init__(self, bureau):
        self.bureau = bureau
        self.units = {unit.code: unit for unit in Unit.objects.filter(path__startswith=bureau.path)}
        people = User.objects.filter(unit__path__startswith=bureau.path, is_active=True).select_related("unit")
        self.people = list(people.order_by("sort_order", "pk"))
        self.grants = list(
            RoleGrant.objects.filter(unit__path__startswith=bureau.path, role__in=(Role.OFFICE, Role.RECORDS_CLERK))
            .select_related("unit", "person").order_by("-unit__depth", "pk")
        )
        self.tasks = {}
        self.nodes = self._nodes()

    def _nodes(self):
        standard = Standard.objects.filter(unit=self.bureau, status=StandardStatus.PUBLISHED).order_by("-version").first()
        if standard is None:
            return {}
        nodes = Node.objects.filter(standard=standard, level__in=(Level.DIMENSION, Level.INDICATOR)).select_related("parent")
        return {(f"{node.parent.title}/{node.title}" if node.parent_id else node.title): node for node in nodes}

    def person(self, spec):
        code, _slash, position = spec.partition("/")
        if code not in self.units:
            return next(person for person in self.people if person.username == spec)
        return next(
            (p for p in self.people if p.unit.code == code and (not position or p.position == position)), None
        )

    def _held(self, role, unit):
        """The person holding ``role`` nearest above ``unit`` (grants are ordered deepest first)."""
        return next(g.person for g in self.grants if g.role == role and unit.path.startswith(g.unit.path))

    def office(self, unit):
        return self._held(Role.OFFICE, unit)

    def worker(self, task, unit=None):
        """Who signs for the lead unit: its first person, else the owner, else the records clerk above."""
        unit = unit or task.lead_unit
        target = task or unit
        for candidate in (self.person(unit.code), task.owner if task else None):
            if candidate is not None and permissions.has_perm(candidate, TASK_REPORT, target):
                return candidate
        return self._held(Role.RECORDS_CLERK, unit)

    def plan(self):
        office = self.office(self.bureau)
        plan = actions.create_plan(office, unit=self.bureau, year=YEAR, title=TITLE)
        goals = [self.goal(office, plan, spec) for spec in GOALS]
        actions.approve_plan(office, plan)
        actions.publish_plan(office, plan)
        for goal, spec in zip(goals, GOALS):
            for task in spec.tasks:
                self.task(goal, task)
        for number, fields, reason in ADJUSTMENTS:
            actions.adjust_plan(office, plan, reason=reason, goals={goals[number - 1]: fields})
        for notice in NOTICES:
            self.notice(notice)
        _settle_report_times(plan)

    def next_plan(self):
        office = self.office(self.bureau)
        plan = actions.create_plan(office, unit=self.bureau, year=YEAR + 1, title=NEXT_TITLE)
        for spec in NEXT_GOALS:
            self.goal(office, plan, spec)

    def goal(self, office, plan, spec):
        return actions.add_goal(
            office, plan, title=spec.title, owner_unit=self.units[spec.owner], node=self.nodes.get(spec.node),
            measure=spec.measure, target_value=spec.target, key_actions=spec.key_actions, weight=spec.weight,
        )

    def task(self, goal, spec, parent=None):
        lead = self.units[spec.lead]
        owner = None if spec.owner == NOBODY else self.person(spec.owner or spec.lead)
        issuer = self.office(parent.lead_unit if parent else self.bureau)
        task = actions.add_task(
            issuer, goal, title=spec.title, lead_unit=lead, start_date=spec.start, due_date=spec.due, parent=parent,
            supporting_units=[self.units[code] for code in spec.supporting], owner=owner,
            expected_output=spec.output, cadence=spec.cadence, weight=spec.weight,
        )
        for title, due in spec.milestones:
            actions.add_milestone(self.office(lead), task, title=title, due=due)
        if spec.key:
            self.tasks[spec.key] = task
        children = list(spec.children)
        for step in spec.steps:
            self.step(task, step)
            if step == SIGN:
                for child in children:
                    self.task(goal, child, task)
                children = []
        for child in children:
            self.task(goal, child, task)
        return task

    def step(self, task, step):
        issuer = self.office(task.issuer_unit)
        if step == SIGN:
            actions.sign_task(self.worker(task), task)
        elif isinstance(step, Decline):
            actions.decline_task(self.worker(task), task, reason=step.reason)
        elif isinstance(step, Reassign):
            actions.reassign_task(issuer, task, lead_unit=self.units[step.lead], reason=step.reason)
        elif isinstance(step, Reschedule):
            actions.reschedule_task(issuer, task, due_date=step.due, reason=step.reason, today=step.on)
        elif isinstance(step, Withdraw):
            actions.withdraw_task(issuer, task, reason=step.reason)
        else:
            self.report(task, step, issuer)

    def report(self, task, spec, reviewer):
        report = actions.submit_report(
            task.owner or self.worker(task), task, period=spec.period, percent=spec.percent, done_text=spec.done,
            problems=spec.problems, support_needed=spec.support,
        )
        if spec.review == ACCEPT:
            actions.accept_report(reviewer, report)
        elif spec.review != WAIT:
            actions.return_report(reviewer, report, reason=spec.review)
        # The story's dates, not the seeding moment: sent two days after the period, reviewed the day after.
        sent = data.story_time(spec.period + datetime.timedelta(days=2))
        reviewed = data.story_time(spec.period + datetime.timedelta(days=3)) if spec.review != WAIT else None
        ProgressReport.objects.filter(pk=report.pk).update(created_at=sent, reviewed_at=reviewed)

    def notice(self, spec):
        task = self.tasks.get(spec.task)
        unit = task.lead_unit if task else self.units[spec.unit]
        issuing = self.units[spec.issuing] if spec.issuing else task.issuer_unit
        office = self.office(issuing)
        notice = supervision.issue_notice(
            office, reason=spec.reason, reply_due=spec.reply_due, task=task, unit=None if task else unit,
            issuing_unit=issuing, level=SupervisionLevel.REMINDER, today=spec.issued_on,
        )
        # The story's dates, written once every step is done (a save would put back the seeding moment).
        dates = {"created_at": data.story_time(spec.issued_on)}
        if spec.reply:
            supervision.reply(self.worker(task, unit), notice, text=spec.reply)
            dates["replied_at"] = data.story_time(spec.issued_on + datetime.timedelta(days=3))
        if spec.outcome == "close":
            supervision.close(office, notice)
            dates["closed_at"] = data.story_time(spec.issued_on + datetime.timedelta(days=5))
        elif isinstance(spec.outcome, Escalate):
            escalation = spec.outcome
            higher = supervision.escalate(office, notice, reason=escalation.reason, reply_due=escalation.reply_due, today=escalation.on)
            dates["closed_at"] = data.story_time(escalation.on)
            SupervisionNotice.objects.filter(pk=higher.pk).update(created_at=data.story_time(escalation.on))
        SupervisionNotice.objects.filter(pk=notice.pk).update(**dates)


def _settle_report_times(plan):
    """Each task's last acceptance from its backdated reports, its sub-tasks' counting too (as
    goals.actions keeps it), so reminders and colours see the story's dates."""
    tasks = dict(Task.objects.filter(goal__plan=plan).values_list("id", "parent_id"))
    latest = {}
    for task_id, reviewed in ProgressReport.objects.filter(task__goal__plan=plan, status=ReportStatus.ACCEPTED).values_list(
        "task_id", "reviewed_at"
    ):
        while task_id is not None:
            if latest.get(task_id) is None or latest[task_id] < reviewed:
                latest[task_id] = reviewed
            task_id = tasks[task_id]
    for task_id in tasks:
        Task.objects.filter(pk=task_id).update(last_accepted_report_at=latest.get(task_id))


def ensure_goals() -> int:
    """The bureau's plans that are missing (2026 published and under way, 2027 drafted); how many it created."""
    bureau = Unit.objects.get(code=data.TOBACCO)
    have = set(Plan.objects.filter(unit=bureau, year__in=(YEAR, YEAR + 1)).values_list("year", flat=True))
    if have == {YEAR, YEAR + 1}:
        return 0
    builder = _Builder(bureau)
    if YEAR not in have:
        builder.plan()
    if YEAR + 1 not in have:
        builder.next_plan()
    return 2 - len(have)
