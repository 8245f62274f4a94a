"""Posting to chat-group robots: the message formats of DingTalk and WeCom, signing, sending.

DingTalk custom robot (自定义机器人), https://open.dingtalk.com/document/orgapp/custom-robot-access and
https://open.dingtalk.com/document/orgapp/robot-message-types-and-data-format: POST JSON
``{"msgtype": "markdown", "markdown": {"title", "text"}, "at": {"atMobiles": [...], "isAtAll": false}}``;
a person is @-mentioned only when the text also contains "@<mobile>". With the signing setting (加签)
the URL carries ``timestamp`` (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(key=secret,
msg="<timestamp>\\n<secret>"))). The answer is ``{"errcode": 0, "errmsg": "ok"}``.

WeCom group robot (群机器人), https://developer.work.weixin.qq.com/document/path/91770: POST JSON
``{"msgtype": "text", "text": {"content", "mentioned_mobile_list": [...]}}``, content at most 2048
bytes. Its markdown type can only mention by WeCom user id (``<@userid>``), which Mofan does not know,
so the daily post is a text message: one post that @-mentions the people by mobile number.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import RobotKind

WECOM_TEXT_BYTES = 2048
DINGTALK_TEXT_BYTES = 18000  # DingTalk refuses messages of about 20,000 bytes and more


class PostFailed(Exception):
    pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot endpoint answers itself; following a redirect would lead the server elsewhere."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def allowed_hosts() -> list[str]:
    return list(getattr(settings, "MOFAN_WEBHOOK_HOSTS", ["oapi.dingtalk.com", "qyapi.weixin.qq.com"]))


def check_webhook_url(url: str):
    """Only http(s) addresses of the configured robot hosts: the server posts there, and an office
    must not be able to make it call any address of the intranet."""
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"webhook_url": _("Enter the robot's http(s) webhook address.")})
    hosts = allowed_hosts()
    if "*" not in hosts and parts.hostname.lower() not in hosts:
        raise ValidationError({
            "webhook_url": _("Robots may post only to %(hosts)s (MOFAN_WEBHOOK_HOSTS).") % {"hosts": ", ".join(hosts)}
        })


def _truncate(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


def payload(kind: str, title: str, lines: list[str], mobiles: list[str]) -> dict:
    """The JSON a robot of ``kind`` takes for a post of ``title`` and ``lines`` mentioning ``mobiles``."""
    if kind == RobotKind.DINGTALK:
        text = "\n\n".join([f"#### {title}", *lines])
        return {
            "msgtype": "markdown",
            "markdown": {"title": title, "text": _truncate(text, DINGTALK_TEXT_BYTES)},
            "at": {"atMobiles": mobiles, "isAtAll": False},
        }
    text = "\n".join([title, *lines])
    return {"msgtype": "text", "text": {"content": _truncate(text, WECOM_TEXT_BYTES), "mentioned_mobile_list": mobiles}}


def signed_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """DingTalk's signing: the URL with ``timestamp`` and ``sign`` added."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    query = urllib.parse.urlencode({"timestamp": timestamp, "sign": base64.b64encode(digest).decode()})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def post(robot, data: dict):
    """Sends ``data`` to the robot; raises PostFailed with the reason when it was not taken."""
    try:
        check_webhook_url(robot.webhook_url)
    except ValidationError as error:
        raise PostFailed(" ".join(error.messages)) from None
    url = robot.webhook_url
    if robot.kind == RobotKind.DINGTALK and robot.secret:
        url = signed_url(url, robot.secret)
    request = urllib.request.Request(
        url, data=json.dumps(data, ensure_ascii=False).encode(), headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    timeout = getattr(settings, "MOFAN_WEBHOOK_TIMEOUT", 5)
    try:
        with _opener.open(request, timeout=timeout) as response:
            body = response.read(4096)
    except urllib.error.HTTPError as error:
        raise PostFailed(f"HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise PostFailed(str(getattr(error, "reason", error))[:200]) from None
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        raise PostFailed(_("The robot's answer was not JSON.")) from None
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise PostFailed(f"errcode {answer.get('errcode')}: {str(answer.get('errmsg', ''))[:200]}")
