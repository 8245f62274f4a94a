"""The inbox (one's own messages only) and the office's group robots."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.roles import ROBOT_CHANGE
from core.forms import step, submit
from organization.models import Unit

from . import actions
from .forms import RobotForm
from .models import Message, Robot


@login_required
def inbox(request):
    own = Message.objects.filter(recipient=request.user)
    page = Paginator(own.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id"), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {
        "page_obj": page,
        "unread": own.filter(read_at__isnull=True).count(),
        "can_manage_robots": permissions.has_any_scope(request.user, ROBOT_CHANGE),
    })


@login_required
def message(request, pk):
    # Another person's message does not exist for this user.
    item = get_object_or_404(Message, pk=pk, recipient=request.user)
    actions.mark_read(request.user, item)
    return render(request, "notifications/message.html", {"message": item})


@login_required
@require_POST
def mark_all_read(request):
    count = actions.mark_all_read(request.user)
    messages.success(request, _("%(count)d message(s) marked read.") % {"count": count})
    return redirect("notifications:inbox")


def _require_robot_scope(user):
    if not permissions.has_any_scope(user, ROBOT_CHANGE):
        raise PermissionDenied


def _visible_robot(user, pk):
    return get_object_or_404(permissions.restrict(Robot.objects.select_related("unit"), user, perm=ROBOT_CHANGE), pk=pk)


@login_required
def robot_list(request):
    _require_robot_scope(request.user)
    robots = permissions.restrict(Robot.objects.select_related("unit"), request.user, perm=ROBOT_CHANGE)
    return render(request, "notifications/robot_list.html", {"robots": robots})


@login_required
def robot_create(request):
    _require_robot_scope(request.user)
    units = permissions.restrict(Unit.objects.filter(is_active=True), request.user, perm=ROBOT_CHANGE)
    form = RobotForm(request.POST or None, units=units)
    done = submit(
        request, form, lambda data: actions.create_robot(request.user, **data),
        success=_("Robot added."), then="notifications:robots",
    )
    return done or render(request, "notifications/robot_form.html", {"form": form, "robot": None})


@login_required
def robot_edit(request, pk):
    robot = _visible_robot(request.user, pk)
    form = RobotForm(request.POST or None, robot=robot, initial={"kind": robot.kind, "name": robot.name, "active": robot.active})

    def perform(data):
        secret = "" if data.get("clear_secret") else (data["secret"] or None)
        return actions.update_robot(
            request.user, robot, kind=data["kind"], name=data["name"], webhook_url=data["webhook_url"] or None,
            secret=secret, active=data["active"],
        )

    done = submit(request, form, perform, success=_("Changes saved."), then="notifications:robots")
    return done or render(request, "notifications/robot_form.html", {"form": form, "robot": robot})


@login_required
@require_POST
def robot_test(request, pk):
    robot = _visible_robot(request.user, pk)
    return step(
        request, robot, lambda item: actions.post_test_message(request.user, item),
        _("The test message was posted to the group."),
    )
