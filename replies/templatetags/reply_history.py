"""``{% reply_versions reply as versions %}``: a reply's history as its pages show it."""

from django import template

from replies.history import VersionShown, versions_shown
from replies.models import Reply

register = template.Library()


@register.simple_tag
def reply_versions(reply: Reply) -> list[VersionShown]:
    return versions_shown(reply)
