"""The default standard of the five excellences (五个过硬), written from what the drives' speeches
ask of an agency: 100 base points, bonus items on top, two vetoes. Offices adapt a copy of it.

The text is data for users, in Chinese, like an imported file; it is not interface text.
"""

from decimal import Decimal

from django.db import transaction

from . import actions
from .models import Standard

NAME = "模范机关创建评分细则"
NOTE = "依据“五个过硬”要求制定，基础分100分；加分项另计（上限由考核活动设定），一票否决项不计分。"

GOOD = [{"code": "A", "label": "好", "percent": 100}, {"code": "B", "label": "较好", "percent": 80},
        {"code": "C", "label": "一般", "percent": 60}, {"code": "D", "label": "差", "percent": 0}]
RATING = [{"code": "A", "label": "优秀", "percent": 100}, {"code": "B", "label": "良好", "percent": 75},
          {"code": "C", "label": "合格", "percent": 50}, {"code": "D", "label": "不合格", "percent": 0}]


def deduct(title, points, per, guide, evidence, lead, cadence=""):
    return dict(title=title, points=points, method="deduct", per_occurrence=per, guide=guide,
                evidence_required=evidence, lead_department=lead, cadence=cadence)


def graded(title, points, guide, evidence, lead, cadence="", levels=GOOD):
    return dict(title=title, points=points, method="graded", levels=levels, guide=guide,
                evidence_required=evidence, lead_department=lead, cadence=cadence)


def passed(title, points, guide, evidence, lead, cadence=""):
    return dict(title=title, points=points, method="pass_fail", guide=guide, evidence_required=evidence,
                lead_department=lead, cadence=cadence)


def bonus(title, points, guide, evidence, lead):
    return dict(title=title, points=points, method="bonus", guide=guide, evidence_required=evidence, lead_department=lead)


def veto(title, guide, evidence, lead):
    return dict(title=title, points=0, method="veto", guide=guide, evidence_required=evidence, lead_department=lead)


# (dimension, points, [(indicator, points, [items])])
TREE = [
    ("政治过硬", 25, [
        ("政治建设", 8, [
            deduct("落实“第一议题”制度", 3, 1,
                   "党组（党委）会、办公会议把学习习近平总书记最新重要讲话和重要指示批示精神作为第一议题，研究贯彻措施。每缺一次扣1分，扣完为止。",
                   "会议纪要、第一议题学习记录、贯彻落实措施清单", "办公室", "monthly"),
            graded("贯彻落实重大决策部署", 3,
                   "对上级重大决策部署专题研究、制定落实方案、按时反馈结果。好：件件有方案有反馈；较好：个别反馈不及时；一般：落实不够有力；差：未落实。",
                   "党组会纪要、落实方案、情况报告", "办公室", "quarterly"),
            passed("严肃党内政治生活", 2,
                   "按要求召开年度民主生活会和组织生活会，开展批评与自我批评，查摆问题建立清单并整改到位。",
                   "会议方案、对照检查材料、征求意见汇总、整改清单", "机关党委", "yearly"),
        ]),
        ("理论武装", 10, [
            deduct("理论学习中心组学习", 4, 1,
                   "制定年度学习计划，每季度至少举办1次中心组交流研讨，全年集体学习不少于12次。少一次扣1分。",
                   "年度学习计划、学习记录、研讨发言材料、旁听评价", "办公室", "quarterly"),
            graded("“四个一”学习机制", 2,
                   "落实“每周一学、每周一推、两周一议、每周一题”学习机制，学习有记录、推送有留痕、研讨有成果。",
                   "学习台账、学习推送截图、研讨记录", "机关党委", "monthly"),
            passed("调研课题", 2,
                   "以“问题”为“课题”，领导班子成员和职能部门结合重点工作认领调研课题，形成调研报告并推动成果转化。",
                   "课题认领表、调研报告、成果转化清单", "办公室", "yearly"),
            deduct("现场党性教育与沉浸式督学", 2, 1,
                   "每年至少举办1场现场党性教育，领导班子成员开展沉浸式督学。每少一场（次）扣1分。",
                   "活动方案、签到表、现场照片、督学记录", "机关党委", "yearly"),
            bonus("理论学习成果", 2,
                  "在市级以上报刊发表理论文章或在理论研讨、宣讲比赛中获奖的，每项加0.5分，最高加2分。",
                  "刊发文章、获奖证书", "机关党委"),
        ]),
        ("意识形态与政治生态", 7, [
            graded("意识形态工作责任制", 3,
                   "每年专题研究意识形态工作不少于2次，落实阵地管理和舆情应对机制，网站、公众号等信息发布严格审核。",
                   "会议纪要、责任清单、阵地管理制度、审核记录", "办公室", "yearly"),
            passed("政治监督谈话", 2,
                   "对“一把手”和领导班子开展政治监督谈话，推进政治监督具体化、精准化、常态化。",
                   "谈话计划、谈话记录、问题反馈及整改材料", "纪检组", "yearly"),
            deduct("理论宣讲", 2, 0.5,
                   "依托理论宣讲阵地，每季度至少开展1次面向干部职工和服务对象的理论宣讲。每少一次扣0.5分。",
                   "宣讲方案、课件、签到表、活动照片", "机关党委", "quarterly"),
            veto("发生意识形态领域重大问题",
                 "发生意识形态领域重大问题或造成恶劣社会影响的，实行一票否决。",
                 "上级通报、调查处理材料", "办公室"),
        ]),
    ]),
    ("组织过硬", 25, [
        ("组织体系建设", 7, [
            passed("党组织设置与按期换届", 3,
                   "党支部、党小组建在最基层，实现有效全覆盖；党支部按期换届，支部委员配备齐全。",
                   "党组织设置批复、换届选举材料、支部委员名单", "机关党委", "yearly"),
            graded("“两级六岗”责任清单", 2,
                   "建立党支部、党小组“两级六岗”工作责任清单，岗位职责明确、履职有记录。",
                   "责任清单、履职记录", "机关党委", "yearly"),
            deduct("党员发展与教育管理", 2, 0.5,
                   "党员发展程序规范，党费按时足额缴纳，组织关系转接及时。发现一处不规范扣0.5分。",
                   "发展党员档案、党费收缴台账、组织关系转接记录", "机关党委", "quarterly"),
        ]),
        ("党支部标准化规范化建设", 8, [
            graded("党支部标准化规范化达标", 4,
                   "按照统一标准、规范运行、严格达标、持续提质的要求开展达标验收，以验收结果定档。",
                   "达标验收申请、验收评分表、验收结论", "机关党委", "yearly", RATING),
            deduct("达标验收问题整改", 2, 0.5,
                   "对达标验收反馈的问题清单逐项整改。每有一项未按期整改扣0.5分。",
                   "问题清单、整改报告、整改佐证", "机关党委", "quarterly"),
            passed("动态管理", 2,
                   "建立达标验收、动态管理两个机制，每季度自查，标准化规范化向党小组一级延伸。",
                   "季度自查表、动态管理台账", "机关党委", "quarterly"),
        ]),
        ("组织生活", 7, [
            deduct("“三会一课”制度", 4, 0.5,
                   "支部党员大会每季度1次、支部委员会和党小组会每月1次、党课每季度1次，记录完整规范。每缺一次或记录不实一处扣0.5分。",
                   "会议记录本、党课讲稿、签到表、照片", "各党支部", "monthly"),
            deduct("主题党日", 2, 0.5,
                   "每月开展1次主题党日活动，主题鲜明、内容充实。每缺一次扣0.5分。",
                   "活动方案、签到表、活动记录与照片", "各党支部", "monthly"),
            passed("组织生活会和民主评议党员", 1,
                   "每年召开组织生活会，开展民主评议党员，评议结果运用到位。",
                   "会议记录、评议结果、整改措施", "各党支部", "yearly"),
        ]),
        ("领航示范", 3, [
            graded("“领航”培育库建设", 2,
                   "以达标党支部为主体建立“领航”培育库，制定培育计划，定期跟踪指导。",
                   "培育库名单、培育计划、指导记录", "机关党委", "yearly"),
            passed("典型案例与经验交流", 1,
                   "总结编印典型案例，开展特色做法培训交流，发挥先进党支部示范作用。",
                   "典型案例集、交流会材料", "机关党委", "yearly"),
            bonus("党支部入选“领航”示范库或获评先进", 3,
                  "党支部入选上级“领航”示范库或获评市级以上先进基层党组织的，每个加1分，最高加3分。",
                  "入选文件、表彰文件", "机关党委"),
        ]),
    ]),
    ("作风过硬", 15, [
        ("思想作风建设", 5, [
            passed("思想作风大讨论", 2,
                   "开展“知感恩、懂珍惜、明底线、正风气”思想作风大讨论，查摆问题并整改。",
                   "实施方案、讨论记录、问题清单", "机关党委", "yearly"),
            graded("员工思想动态分析", 3,
                   "定期开展员工思想动态分析，形成分析报告，针对反映的问题提出并落实改进措施。",
                   "调查问卷、分析报告、改进措施", "人事部门", "quarterly"),
        ]),
        ("为民服务", 6, [
            graded("“我为群众办实事”", 3,
                   "建立办实事项目清单，明确责任和时限，按期办结并公开，群众满意。",
                   "项目清单、办结报告、满意度测评", "办公室", "quarterly"),
            deduct("服务对象投诉", 3, 1,
                   "群众、企业通过网络问政、电话投诉等渠道反映问题，经查属实的，每件扣1分。",
                   "投诉登记及处理台账、回访记录", "办公室", "monthly"),
        ]),
        ("工作效能", 4, [
            graded("效能考核", 2,
                   "以上级机关效能考核结果定档：优秀、良好、合格、不合格。",
                   "效能考核结果通报", "办公室", "yearly", RATING),
            deduct("办文办会办事效率", 2, 0.5,
                   "公文、督办事项按时限办结。每超期一件扣0.5分。",
                   "公文办理记录、督办单及回复", "办公室", "monthly"),
            bonus("作风建设受到上级表扬", 2,
                  "连续获评效能考核优秀等次或作风建设经验受到上级通报表扬的，每项加1分，最高加2分。",
                  "表扬通报、考核结果", "办公室"),
        ]),
    ]),
    ("纪律过硬", 15, [
        ("全面从严治党责任", 5, [
            passed("主体责任落实", 2,
                   "制定全面从严治党主体责任清单，每年专题研究党风廉政建设不少于2次，层层签订责任书。",
                   "责任清单、会议纪要、责任书", "纪检组", "yearly"),
            deduct("巡视巡察和审计问题整改", 3, 1,
                   "巡视巡察、审计发现的问题逐项整改销号。每有一项逾期未整改扣1分。",
                   "问题清单、整改台账、销号材料", "纪检组", "quarterly"),
        ]),
        ("廉洁文化与警示教育", 5, [
            graded("廉洁文化建设", 2,
                   "推进“1+N”廉洁文化建设，廉洁文化阵地、活动、作品有特色、有实效。",
                   "工作方案、活动材料、阵地照片", "纪检组", "yearly"),
            deduct("警示教育与以案促改", 3, 1,
                   "每半年至少开展1次警示教育，深化以案为鉴、以案促改。每少一次扣1分。",
                   "警示教育记录、以案促改报告", "纪检组", "quarterly"),
        ]),
        ("正风肃纪", 5, [
            deduct("落实中央八项规定精神", 3, 1,
                   "违反中央八项规定精神问题经查实的，每起扣1分。",
                   "监督检查记录、问题处理材料", "纪检组", "quarterly"),
            deduct("工作纪律", 2, 0.5,
                   "无故脱岗、离岗、迟到早退等违反工作纪律被通报的，每人次扣0.5分。",
                   "考勤记录、督查通报", "办公室", "monthly"),
            veto("发生严重违纪违法问题",
                 "本单位党员干部发生严重违纪违法问题，受到党纪重处分、政务撤职以上处分或被追究刑事责任的，实行一票否决。",
                 "纪律处分决定、司法文书", "纪检组"),
        ]),
    ]),
    ("能力过硬", 20, [
        ("目标管理与重点任务", 8, [
            graded("年度目标任务完成", 5,
                   "对照年度目标和衡量标准评价。好：全部完成；较好：完成90%以上；一般：完成80%以上；差：低于80%。",
                   "年度目标任务书、进展报告、完成情况统计", "办公室", "quarterly"),
            deduct("任务分解与督导落实", 3, 0.5,
                   "目标任务分解到股室、责任人和完成时限，逾期未完成又无合理说明的，每项扣0.5分。",
                   "任务分解表、进展报告、督办记录", "办公室", "monthly"),
        ]),
        ("队伍建设", 6, [
            graded("干部教育培训", 3,
                   "制定年度培训计划，干部职工参训率和人均学时达到要求。",
                   "培训计划、培训通知、签到表、学时统计", "人事部门", "yearly"),
            passed("青年与技能人才培养", 3,
                   "落实青年托举人才计划，建设技能人才工作室，激励干部担当作为措施落地。",
                   "人才培养方案、工作室建设材料、激励措施", "人事部门", "yearly"),
        ]),
        ("问题整改与创新创优", 6, [
            deduct("问题查摆与整改", 3, 0.5,
                   "通过职工提、自己找、上级点、相互帮等方式查摆问题，建立问题清单和整改台账。每有一项逾期未整改扣0.5分。",
                   "问题清单、整改台账、销号材料", "领导小组办公室", "quarterly"),
            passed("金点子征集", 1,
                   "广泛征集创建模范机关“金点子”，对采纳建议有反馈、有落实。",
                   "征集通知、金点子汇总及采纳反馈", "领导小组办公室", "yearly"),
            graded("创建资料台账", 2,
                   "创建资料台账按评分细则分类归档，完整、规范、及时。",
                   "资料台账目录及归档材料", "领导小组办公室", "quarterly"),
            bonus("创新经验推广与表彰", 3,
                  "工作经验被上级推广，或创建工作获得市级以上表彰的，每项加1分，最高加3分。",
                  "推广文件、表彰文件", "领导小组办公室"),
        ]),
    ]),
]


@transaction.atomic
def build(actor, unit, *, name=NAME):
    """A draft of the default standard owned by ``unit``, built through the actions."""
    standard = actions.create_standard(actor, unit=unit, name=name, total_points=Decimal("100"), note=NOTE)
    for d_position, (dimension, d_points, indicators) in enumerate(TREE, 1):
        d_node = actions.add_node(actor, standard, position=d_position, title=dimension, points=d_points)
        for i_position, (indicator, i_points, items) in enumerate(indicators, 1):
            i_node = actions.add_node(actor, standard, parent=d_node, position=i_position, title=indicator, points=i_points)
            for position, item in enumerate(items, 1):
                actions.add_node(actor, standard, parent=i_node, position=position, **item)
    return standard


def load(unit) -> Standard | None:
    """Builds and publishes the default standard for ``unit``; None when it has one by that name."""
    if Standard.objects.filter(unit=unit, name=NAME).exists():
        return None
    with transaction.atomic():
        standard = build(None, unit)
        return actions.publish_standard(None, standard)
