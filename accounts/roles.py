"""Roles and what each may do. A role is granted on a unit and holds for that unit's subtree.

Permissions are "<model label>.<action>" strings. The three administrators (三员分立) get no
business permission by virtue of their role.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")
    LEADER = "leader", _("Leader")
    OFFICE = "office", _("Leading group office")
    RECORDS_CLERK = "records_clerk", _("Records clerk")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    ASSESSOR = "assessor", _("Assessor")
    STAFF = "staff", _("Staff")
    INSPECTOR = "inspector", _("Inspector")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# Every active person holds this role on their own unit without a grant.
IMPLICIT_ROLE = Role.STAFF

UNIT_VIEW = "organization.unit.view"
UNIT_CHANGE = "organization.unit.change"
PERSON_VIEW = "accounts.user.view"
PERSON_VIEW_CONTACT = "accounts.user.view_contact"
PERSON_CHANGE = "accounts.user.change"
PERSON_EXPORT = "accounts.user.export"
GRANT_VIEW = "accounts.rolegrant.view"
GRANT_CHANGE = "accounts.rolegrant.change"
LEADING_GROUP_VIEW = "organization.leadinggroup.view"
LEADING_GROUP_CHANGE = "organization.leadinggroup.change"
AUDIT_VIEW = "audit.auditentry.view"
DOCUMENT_VIEW = "evidence.document.view"
DOCUMENT_CHANGE = "evidence.document.change"
DOCUMENT_EXPORT = "evidence.document.export"
LINK_VIEW = "evidence.link.view"
LINK_CHANGE = "evidence.link.change"
VISIT_VIEW = "evidence.inspectionvisit.view"
VISIT_CHANGE = "evidence.inspectionvisit.change"
STANDARD_VIEW = "standard.standard.view"
STANDARD_CHANGE = "standard.standard.change"
ROUND_VIEW = "assessment.round.view"
ROUND_CHANGE = "assessment.round.change"
SCORECARD_VIEW = "assessment.scorecard.view"
SCORECARD_FILL = "assessment.scorecard.fill"
SCORECARD_REVIEW = "assessment.scorecard.review"
GOAL_VIEW = "goals.plan.view"
GOAL_CHANGE = "goals.plan.change"
TASK_REPORT = "goals.task.report"
PROBLEM_VIEW = "problems.problem.view"
PROBLEM_RAISE = "problems.problem.raise"
PROBLEM_CHANGE = "problems.problem.change"
PROBLEM_VERIFY = "problems.problem.verify"
SUGGESTION_SUBMIT = "problems.suggestion.submit"
SUGGESTION_VIEW = "problems.suggestion.view"
SUGGESTION_HANDLE = "problems.suggestion.handle"
FEEDBACK_VIEW = "problems.feedback.view"
FEEDBACK_CHANGE = "problems.feedback.change"
FEEDBACK_REPLY = "problems.feedback.reply"
ROBOT_CHANGE = "notifications.robot.change"
OTP_RESET = "security.otp.reset"
COMPLIANCE_VIEW = "security.compliance.view"
LOCKOUT_CHANGE = "security.lockout.change"
SESSION_END = "security.session.end"

_BUSINESS_READ = {
    UNIT_VIEW, PERSON_VIEW, LEADING_GROUP_VIEW, DOCUMENT_VIEW, LINK_VIEW, STANDARD_VIEW, SCORECARD_VIEW, GOAL_VIEW,
    PROBLEM_VIEW, PROBLEM_RAISE, SUGGESTION_SUBMIT,
}
# Those who keep a unit's self-assessment: fill it in, submit it, appeal its result.
_SELF_ASSESSMENT = {SCORECARD_FILL}
_EVIDENCE_KEEPING = {DOCUMENT_CHANGE, LINK_CHANGE, DOCUMENT_EXPORT}
# Those who carry out a unit's tasks: sign for them and report their progress.
_TASK_WORK = {TASK_REPORT}
# Those who keep a unit's problem list: analyse, set measures, report progress, submit for sign-off,
# and answer the public feedback handed to the unit.
_RECTIFICATION = {PROBLEM_CHANGE, FEEDBACK_VIEW, FEEDBACK_REPLY}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset(
        {UNIT_VIEW, UNIT_CHANGE, PERSON_VIEW, PERSON_VIEW_CONTACT, PERSON_CHANGE, PERSON_EXPORT, GRANT_VIEW, SESSION_END}
    ),
    Role.SECURITY_ADMIN: frozenset(
        {UNIT_VIEW, PERSON_VIEW, GRANT_VIEW, GRANT_CHANGE, OTP_RESET, COMPLIANCE_VIEW, LOCKOUT_CHANGE, SESSION_END}
    ),
    Role.AUDIT_ADMIN: frozenset({UNIT_VIEW, AUDIT_VIEW}),
    Role.LEADER: frozenset(
        _BUSINESS_READ | {PERSON_VIEW_CONTACT, DOCUMENT_EXPORT, VISIT_VIEW, ROUND_VIEW, PROBLEM_VERIFY, SUGGESTION_VIEW, FEEDBACK_VIEW}
    ),
    Role.OFFICE: frozenset(
        _BUSINESS_READ
        | _EVIDENCE_KEEPING
        | _SELF_ASSESSMENT
        | {PERSON_VIEW_CONTACT, PERSON_EXPORT, LEADING_GROUP_CHANGE, VISIT_VIEW, VISIT_CHANGE}
        | {STANDARD_CHANGE, ROUND_VIEW, ROUND_CHANGE, SCORECARD_REVIEW, GOAL_CHANGE}
        | _RECTIFICATION
        | {PROBLEM_VERIFY, SUGGESTION_VIEW, SUGGESTION_HANDLE, FEEDBACK_CHANGE, ROBOT_CHANGE}
    ),
    Role.RECORDS_CLERK: frozenset(
        _BUSINESS_READ | _EVIDENCE_KEEPING | _SELF_ASSESSMENT | _TASK_WORK | _RECTIFICATION | {VISIT_VIEW}
    ),
    Role.DEPARTMENT_HEAD: frozenset(
        _BUSINESS_READ | _EVIDENCE_KEEPING | _SELF_ASSESSMENT | _TASK_WORK | _RECTIFICATION | {PERSON_VIEW_CONTACT}
    ),
    # Assessors (members of the leading group who score) review scorecards in their scope.
    Role.ASSESSOR: frozenset(_BUSINESS_READ | {ROUND_VIEW, SCORECARD_REVIEW}),
    # Staff upload the evidence of their own unit and link it, and report on its tasks.
    # Scorecards are not theirs to read: a draft is the records clerk's and department head's work.
    Role.STAFF: frozenset((_BUSINESS_READ - {SCORECARD_VIEW}) | _TASK_WORK | {DOCUMENT_CHANGE, LINK_CHANGE}),
    # Inspectors read the ledger (documents and links) and nothing else; every file they open is audited.
    Role.INSPECTOR: frozenset({UNIT_VIEW, DOCUMENT_VIEW, LINK_VIEW}),
}
