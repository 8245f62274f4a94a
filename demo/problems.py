"""The coal affairs centre's problem finding and rectification (seeds/004): "采取职工提、自己找、上级点、
相互帮等方式查找问题，广泛征集创建模范机关“金点子”……畅通网络问政、电话投诉监督等意见征集渠道。充分运用专题民主
生活会和专题组织生活会的成果……对查摆的问题要建立清单……深入剖析原因，制定整改措施", and the sections draw up
"责任清单，明确……具体内容、措施、时间表".

On 2026-11-23 the centre's problem list has problems from every channel the speech names at every
step: registered, analysed, being rectified (one measure overdue, one due within days), submitted
for verification, signed off (a section's by the office above it, the centre's own by a leader who
answers for none of its measures), and one sent back with a reason and rectified again. The
suggestion box holds an anonymous idea that was answered, an adopted idea on the board, a declined
one and one that became a problem; public feedback holds a replied online inquiry, a phone
complaint past its reply date, an inquiry due soon and a complaint that became a problem.

Everything goes through problems.actions, origins, suggestions and feedback as the right person (a
section head keeps the section's list, the office keeps the centre's, the responsible person reports
progress, a verifier above signs off), so the audit trail and every rule hold. The receipt code of
the anonymous idea is thrown away: nobody, the demo included, can tie it to its author. No scorecard
of the centre's round is published yet, so no weakness becomes a problem here. A second run finds
the problems by title and writes nothing.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import RoleGrant, User
from accounts.roles import ADMIN_ROLES
from organization.models import Unit
from problems import actions, feedback, origins, suggestions
from problems.models import Channel, Kind, Measure, MeasureUpdate, Problem, Severity, Source
from standard.models import Level, Node, Standard, StandardStatus

from . import data

C = data.COAL
OFFICE, CLERK = "liuhua", "zhoucheng"
SUBMIT = "submit"


def _d(month, day, year=2026):
    return datetime.date(year, month, day)


@dataclass(frozen=True)
class M:
    """A measure: what, which unit, the responsible leader (a login) and person, the deadline."""

    text: str
    unit: str
    leader: str
    person: str  # a login, or "CODE/position" (the first such person) or "CODE/position#n"
    deadline: datetime.date | None
    expected: str = ""


@dataclass(frozen=True)
class Update:
    measure: int  # 1-based position of the measure
    text: str
    done: bool = False


@dataclass(frozen=True)
class SignOff:
    by: str


@dataclass(frozen=True)
class SendBack:
    by: str
    reason: str


@dataclass(frozen=True)
class P:
    """A problem of the list; ``keeper`` keeps the unit's list (analyses, sets measures, submits)."""

    unit: str
    title: str
    description: str
    source: str
    found_on: datetime.date | None  # None: the day it came in (an idea turned into a problem today)
    keeper: str
    node: str  # "dimension/indicator" of the centre's standard
    raised_by: str = ""  # a person spec; empty keeps it unnamed
    origin: str = ""  # "feedback:KEY" or "suggestion:KEY"
    severity: str = Severity.GENERAL
    kind: str = Kind.BY_DEADLINE
    root_cause: str = ""
    measures: tuple = ()
    steps: tuple = ()


@dataclass(frozen=True)
class Idea:
    key: str
    author: str
    title: str
    content: str
    outcome: tuple  # ("answer" | "adopt" | "adopt_on_board" | "decline", text)
    anonymous: bool = False


@dataclass(frozen=True)
class Call:
    key: str
    channel: str
    received: datetime.datetime  # local time
    contact_name: str
    contact_phone: str
    content: str
    unit: str
    reply_due: datetime.date
    reply: str = ""  # given by the handling section's head


HY_HEAD, AQ_HEAD = f"{C}-HY/股长", f"{C}-AQ/股长"

CALLS = (
    Call("subsidy", Channel.ONLINE, datetime.datetime(2026, 11, 2, 9, 30), "张先生", "13800000001",
         "咨询小煤矿关闭退出奖补资金的申报条件和截止时间。", f"{C}-HY", _d(11, 9),
         reply="您好！小煤矿关闭退出奖补资金的申报条件和材料清单已在中心网站“政策文件”栏目公布，申报截止时间为2026年12月31日。"
               "如有疑问，请在工作日拨打行业管理股电话咨询。"),
    Call("trucks", Channel.PHONE, datetime.datetime(2026, 11, 12, 15, 10), "李女士", "13800000002",
         "某煤矿运煤车辆夜间超载运输、沿途抛洒，影响沿线村民出行安全，希望有关部门管一管。", f"{C}-AQ", _d(11, 19)),
    Call("booking", Channel.PHONE, datetime.datetime(2026, 10, 20, 10, 5), "王先生", "13800000003",
         "煤矿复工复产验收预约电话长期无人接听，企业多次往返中心才约上验收时间。", f"{C}-HY", _d(10, 27),
         reply="感谢您的监督！中心已开通复工复产验收预约专线并在网站公布，外出检查时呼叫转移至值班人员，"
               "同时建立预约登记和办结回访制度。"),
    Call("licence", Channel.ONLINE, datetime.datetime(2026, 11, 21, 16, 40), "赵先生", "",
         "咨询煤矿安全生产许可证延期换证需要提交哪些材料、多长时间办结。", f"{C}-HY", _d(11, 27)),
)

IDEAS = (
    Idea("progress", f"{C}-AQ/科员#2", "建议定期公开各股室创建工作进度",
         "建议每月在中心公示栏和内网公布各股室创建工作进度和问题整改情况，接受干部职工监督，避免创建工作“上热中温下冷”。",
         ("answer", "感谢您的建议！自12月起，领导小组办公室每月在中心公示栏和内网公布各股室创建进度和问题整改情况。"),
         anonymous=True),
    Idea("service_day", f"{C}-GH/科员", "设立“煤矿企业服务日”",
         "建议每月固定一天为“煤矿企业服务日”，中心领导和各股室负责人集中接待煤矿企业，现场解答政策、受理诉求。",
         ("adopt_on_board", "建议很好，予以采纳。自2027年1月起，每月第一个星期三为“煤矿企业服务日”，由领导小组办公室统筹安排。")),
    Idea("cars", f"{C}-BGS/驾驶员", "建议为股室配备专用公务车辆",
         "下煤矿检查经常要等车，建议给安全监管股、技术服务股各配一辆专用车。",
         ("decline", "中心公务用车实行统一调度，按公务用车制度改革规定不再为股室单独配车。下煤矿检查用车可提前一天向办公室申请，"
                     "办公室优先保障。")),
    Idea("one_stop", f"{C}-HY/科员#3", "建立煤矿企业诉求“一站式”受理台账",
         "企业反映的问题有的打到安全监管股，有的打到行业管理股，有时推来推去。建议由办公室建立统一的诉求受理台账，"
         "明确承办股室和办结时限，办结后回访。",
         ("adopt", "予以采纳。由办公室牵头建立诉求受理台账，列入中心问题清单整改。")),
)

PROBLEMS = (
    P(f"{C}-GH", "股室创建工作计划照搬中心方案，工作事项未细化到人、未明确时间节点",
      "对照模范机关创建标准自查发现：规划发展股创建工作计划与中心实施方案内容基本一致，12项工作事项中有7项未明确责任人和完成时限。",
      Source.SELF, _d(6, 10), "guihua", "能力过硬/目标管理与重点任务", raised_by="guihua",
      root_cause="对创建标准学习领会不深，制定计划时未结合规划编制、项目储备等股室职责逐项分解，股室负责人审核把关不严。",
      measures=(M("对照中心实施方案和创建标准重新制定股室创建工作计划，逐项明确工作内容、责任人和完成时限", f"{C}-GH",
                  "wencheng", f"{C}-GH/科员", _d(7, 15), "股室创建工作计划经领导小组办公室审核后公示"),),
      steps=(Update(1, "重新制定股室创建工作计划，细化工作事项12项，逐项明确责任人和完成时限，7月10日经领导小组办公室审核后在股室公示。",
                    done=True),
             SUBMIT, SignOff(OFFICE))),
    P(f"{C}-HY", "煤矿企业办事指南更新不及时，材料要求与上级最新规定不一致",
      "行业管理股干部反映：煤矿证照变更、产能核定等事项的办事指南仍为2023年版本，企业按指南准备材料后多次被要求补正。",
      Source.STAFF, _d(7, 20), HY_HEAD, "作风过硬/工作效能", raised_by=f"{C}-HY/科员",
      root_cause="办事指南没有明确更新责任人和更新周期，上级政策调整后未及时对照修订；窗口“一次性告知”落实不到位。",
      measures=(M("梳理煤矿证照变更、产能核定等办理事项，对照省级最新规定修订办事指南并在中心网站公开", f"{C}-HY",
                  "dengzheng", f"{C}-HY/科员#2", _d(11, 30), "办事指南全部更新并公开，企业按指南一次备齐材料"),
                M("建立办事指南季度更新和窗口“一次性告知”制度", f"{C}-HY", "dengzheng", HY_HEAD, _d(12, 15), "制度以中心名义印发执行")),
      steps=(Update(1, "修订办事指南9项，已在中心网站公开。", done=True),
             Update(2, "起草《办事指南季度更新和一次性告知制度》，经股室会议讨论通过。", done=True),
             SUBMIT,
             SendBack("wencheng", "经抽查，修订后的办事指南仍有3项材料要求与省级最新文件不一致；“一次性告知”制度只经股室讨论，"
                                  "未以中心名义印发。请补充完善后重新报送。"),
             Update(1, "对照省级最新文件逐项核对，已更正3项材料要求，正在报中心审定。"))),
    P(f"{C}-AQ", "煤矿安全检查发现的隐患跟踪问效不够，部分隐患整改复查不及时",
      "中心领导督导安全监管股工作时指出：上半年检查发现的46条隐患中，有11条超过整改期限未组织复查，个别隐患仅凭企业报告销号。",
      Source.SUPERIOR, _d(8, 18), AQ_HEAD, "能力过硬/问题整改与创新创优", raised_by="wencheng", severity=Severity.SERIOUS,
      root_cause="检查与复查脱节，隐患整改台账未实行销号管理；复查责任没有落实到人，对停产煤矿的隐患缺少跟踪措施。",
      measures=(M("建立煤矿安全隐患整改台账，实行“交办—整改—复查—销号”闭环管理", f"{C}-AQ", "zhangsheng",
                  f"{C}-AQ/副股长", _d(9, 30), "隐患整改台账建立并按月更新"),
                M("对2026年以来检查发现的隐患逐矿复查，形成复查报告", f"{C}-AQ", "zhangsheng", f"{C}-AQ/科员",
                  _d(11, 15), "复查全覆盖，复查报告报中心领导")),
      steps=(Update(1, "隐患整改台账已建立，46条隐患全部录入，实行销号管理。", done=True),
             Update(2, "已复查煤矿9家，销号隐患35条；另有3家煤矿停产检修，尚未复查。"))),
    P(f"{C}-JS", "技术帮扶煤矿技改“一企一策”未建立，帮扶台账不完整",
      "规划发展股在相互帮查中指出：技术服务股对正在扩能改造的煤矿开展技术帮扶，但没有逐企制定帮扶方案，帮扶记录分散在个人手中。",
      Source.PEERS, _d(8, 5), f"{C}-JS/股长", "作风过硬/为民服务", raised_by="guihua",
      root_cause="对煤矿企业技改需求摸底不细，帮扶以应急答疑为主；股室未建立统一的帮扶台账。",
      measures=(M("对正在技改的煤矿逐企摸清需求，制定“一企一策”技术帮扶方案", f"{C}-JS", "zhangsheng", f"{C}-JS/工程师",
                  _d(10, 31), "技改煤矿帮扶方案全覆盖"),
                M("建立技术帮扶台账，每次帮扶记录问题、措施和成效", f"{C}-JS", "zhangsheng", f"{C}-JS/工程师#2", _d(11, 20),
                  "帮扶台账完整可查")),
      steps=(Update(1, "完成6家技改煤矿需求摸底，制定“一企一策”帮扶方案6份。", done=True),
             Update(2, "建立技术帮扶台账，补录2026年帮扶记录23条。", done=True),
             SUBMIT)),
    P(C, "有的党员干部学习党的创新理论不够用心用力，学用结合不紧",
      "专题民主生活会查摆：个别党员干部理论学习满足于读文件、记笔记，联系煤炭事务工作研讨不深，宗旨意识树得不牢。",
      Source.LIFE_MEETING, _d(9, 26), OFFICE, "政治过硬/理论武装", raised_by="tanzhenhua", kind=Kind.ONGOING,
      root_cause="对理论学习的重要性认识不足，学习计划执行不严，缺少对学习成效的检验和督促。",
      measures=(M("落实“第一议题”制度和理论学习中心组每月集中学习，每季度结合煤矿安全和行业服务开展一次专题研讨", f"{C}-BGS",
                  "tanzhenhua", CLERK, None, "学习按月落实，研讨成果转化为工作措施"),
                M("每名党员干部结合岗位撰写一篇学习体会，年底前开展学习成效交流", C, "dengzheng", OFFICE, _d(12, 25),
                  "学习体会全覆盖，开展一次交流")),
      steps=(Update(1, "10月、11月中心组集中学习按期开展，11月结合煤矿安全生产治本攻坚开展专题研讨。"),)),
    P(C, "机关党组织教育管理监督党员不够严格",
      "专题组织生活会查摆：党员日常教育管理偏松偏软，个别党员组织生活请假较多，对苗头性问题提醒谈话不及时。",
      Source.LIFE_MEETING, _d(10, 15), OFFICE, "组织过硬/组织生活",
      root_cause="支部对党员管理监督抓得不实，组织生活考勤和请假审批不严，谈心谈话制度落实不到位。"),
    P(f"{C}-HY", "煤矿复工复产验收预约电话长期无人接听，企业多次往返",
      "群众电话投诉：验收预约电话长期无人接听，企业多次往返中心才约上验收时间。",
      Source.PUBLIC, _d(10, 21), HY_HEAD, "作风过硬/为民服务", origin="feedback:booking",
      root_cause="验收预约只设一部座机，股室人员外出检查时无人值守；未建立预约登记和办结回访制度。",
      measures=(M("开通验收预约手机专线并在中心网站公布，外出时呼叫转移至值班人员", f"{C}-HY", "dengzheng", f"{C}-HY/科员#3",
                  _d(11, 5), "预约电话随时有人接听"),
                M("建立验收预约登记和办结回访制度，纳入“我为群众办实事”项目清单", f"{C}-HY", "dengzheng", f"{C}-HY/科员#2",
                  _d(12, 10), "预约有登记、办结有回访")),
      steps=(Update(1, "预约专线已开通并在网站公布，11月以来受理预约17次，无漏接。", done=True),
             Update(2, "预约登记表已启用，回访制度正在起草；已纳入“我为群众办实事”项目清单。"))),
    P(f"{C}-CW", "差旅费报销审核把关不严，个别报销单据附件不全",
      "财务股自查：抽查一季度差旅费报销单据58份，其中4份缺少会议通知或审批单。",
      Source.SELF, _d(4, 15), f"{C}-CW/股长", "纪律过硬/正风肃纪", raised_by=f"{C}-CW/股长", kind=Kind.FIX_NOW,
      root_cause="报销审核清单不完整，审核人员对差旅费管理办法掌握不准。",
      measures=(M("立即补齐4份报销单据附件，修订报销审核清单", f"{C}-CW", "dengzheng", f"{C}-CW/出纳", _d(4, 30),
                  "单据附件齐全，审核清单修订印发"),),
      steps=(Update(1, "4份单据附件已补齐，修订报销审核清单并组织财务人员学习差旅费管理办法。", done=True),
             SUBMIT, SignOff("wencheng"))),
    P(C, "创建工作宣传氛围不浓，创建动态宣传不及时",
      "市直机关工委督查时指出：中心创建工作宣传以转发文件为主，内网创建专栏更新不及时，干部职工和服务对象知晓度不高。",
      Source.SUPERIOR, _d(6, 20), OFFICE, "政治过硬/意识形态与政治生态",
      root_cause="宣传计划不具体，宣传任务未分解到股室，缺少专人负责信息报送。",
      measures=(M("制定创建宣传计划，各股室每月至少报送一篇创建动态，内网创建专栏每周更新", f"{C}-BGS", "dengzheng", CLERK,
                  _d(8, 31), "内网专栏每周更新"),),
      steps=(Update(1, "印发创建宣传计划，7、8月各股室报送创建动态14篇，内网专栏每周更新。", done=True),
             SUBMIT, SignOff("wencheng"))),  # the centre's own problem: a leader answering for no measure
    P(C, "煤矿企业诉求受理分散在各股室，缺少统一台账和办结反馈",
      "干部职工通过“金点子”反映：企业诉求分散在各股室受理，有时推来推去，缺少统一台账、办结时限和回访。",
      Source.STAFF, None, OFFICE, "作风过硬/为民服务", origin="suggestion:one_stop"),
)


class _Builder:
    def __init__(self, centre):
        self.centre = centre
        self.units = {unit.code: unit for unit in Unit.objects.filter(path__startswith=centre.path)}
        admins = RoleGrant.objects.filter(role__in=ADMIN_ROLES).values("person_id")
        people = User.objects.filter(unit__path__startswith=centre.path, is_active=True).exclude(pk__in=admins)
        self.people = list(people.select_related("unit").order_by("sort_order", "pk"))
        self.nodes = self._nodes()
        self.calls, self.ideas = {}, {}

    def _nodes(self):
        standard = Standard.objects.filter(unit=self.centre, status=StandardStatus.PUBLISHED).order_by("-version").first()
        if standard is None:
            return {}
        nodes = Node.objects.filter(standard=standard, level=Level.INDICATOR).select_related("parent")
        return {f"{node.parent.title}/{node.title}": node for node in nodes}

    def person(self, spec):
        """A login, or "CODE/position[#n]": the n-th such person of the unit (business staff only)."""
        if not spec:
            return None
        code, slash, position = spec.partition("/")
        if not slash:
            return next(person for person in self.people if person.username == spec)
        position, _hash, nth = position.partition("#")
        matching = [p for p in self.people if p.unit.code == code and p.position == position]
        return matching[int(nth or 1) - 1]

    def build(self):
        office = self.person(OFFICE)
        for call in CALLS:
            self.calls[call.key] = self.call(office, call)
        for idea in IDEAS:
            self.ideas[idea.key] = self.idea(office, idea)
        for spec in PROBLEMS:
            self.problem(office, spec)
        return len(PROBLEMS)

    def call(self, office, spec):
        record = feedback.record(
            office, channel=spec.channel, received_at=timezone.make_aware(spec.received), content=spec.content,
            unit=self.units[spec.unit], reply_due=spec.reply_due, contact_name=spec.contact_name,
            contact_phone=spec.contact_phone,
        )
        if spec.reply:
            feedback.reply(self.person(f"{spec.unit}/股长"), record, text=spec.reply)
        return record

    def idea(self, office, spec):
        # The receipt code of an anonymous idea is dropped here: it was the author's to keep.
        suggestion, _code = suggestions.submit(
            self.person(spec.author), unit=self.centre, title=spec.title, content=spec.content, anonymous=spec.anonymous,
        )
        how, text = spec.outcome
        if how == "answer":
            suggestions.answer(office, suggestion, text=text)
        elif how == "decline":
            suggestions.decline(office, suggestion, reason=text)
        else:
            suggestions.adopt(office, suggestion, text=text, on_board=how == "adopt_on_board")
        return suggestion

    def problem(self, office, spec):
        fields = {"title": spec.title, "description": spec.description, "source": spec.source, "severity": spec.severity,
                  "kind": spec.kind, "node": self.nodes.get(spec.node)}
        if spec.found_on is not None:
            fields["found_on"] = spec.found_on
        origin, _colon, key = spec.origin.partition(":")
        if origin == "feedback":
            problem = origins.from_feedback(office, self.calls[key], **fields)
        elif origin == "suggestion":
            problem = suggestions.to_problem(office, self.ideas[key], **fields)
        else:
            problem = actions.register_problem(
                self.person(spec.keeper), unit=self.units[spec.unit], raised_by=self.person(spec.raised_by), **fields
            )
        keeper = self.person(spec.keeper)
        if spec.root_cause:
            actions.analyse(keeper, problem, root_cause=spec.root_cause)
        measures = [
            actions.add_measure(
                keeper, problem, text=m.text, unit=self.units[m.unit], leader=self.person(m.leader),
                person=self.person(m.person), deadline=m.deadline, expected_result=m.expected,
            )
            for m in spec.measures
        ]
        for step in spec.steps:
            if step == SUBMIT:
                actions.submit_for_verification(keeper, problem)
            elif isinstance(step, SignOff):
                actions.sign_off(self.person(step.by), problem)
            elif isinstance(step, SendBack):
                actions.send_back(self.person(step.by), problem, reason=step.reason)
            else:
                self.update(measures[step.measure - 1], step)
        return problem

    def update(self, measure, step):
        measure.refresh_from_db()  # a send-back reopens the measures
        update = actions.report_progress(measure.person, measure, text=step.text, done=step.done)
        # The story's dates: progress reported ahead of the deadline (or lately, if it is still ahead).
        ahead = datetime.timedelta(days=3 if step.done else 10)
        when = data.story_time(min(measure.deadline or timezone.localdate(), timezone.localdate()) - ahead)
        MeasureUpdate.objects.filter(pk=update.pk).update(at=when)
        if step.done:
            Measure.objects.filter(pk=measure.pk).update(done_at=when)


def ensure_problems() -> int:
    """The centre's problem list, suggestion box and public feedback, unless there already; how many
    problems it registered."""
    centre = Unit.objects.get(code=data.COAL)
    titles = [spec.title for spec in PROBLEMS]
    if Problem.objects.filter(unit__path__startswith=centre.path, title__in=titles).exists():
        return 0
    return _Builder(centre).build()
