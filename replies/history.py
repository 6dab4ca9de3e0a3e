"""A reply's history: every change of its text is a version, and people read it as a diff.

``reply_body_write`` is the one write path of a reply's body (drafts, edits, the approver's
change, a send-back), so no text a person wrote is ever overwritten without a trace: the
supervisor sees what changed and the evaluation after a crisis reads who wrote what.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.models import Case
from replies.models import Reply, ReplyVersion, VersionReason
from replies.tone import tone_warnings

#: Words with the spaces after them: a diff by words reads as an editor's marks, a diff by
#: lines would mark a whole paragraph for one changed word.
_WORDS = re.compile(r"\S+\s*|\s+")


def reply_body_write(
    reply: Reply, *, body: str, actor, reason: str, now, case: Case | None = None, note: str = ""
) -> ReplyVersion | None:
    """Set the reply's text, check its tone again and record the version; saves the reply.

    Precondition: the caller holds the reply (``select_for_update``) or is creating it, so two
    writers cannot take the same version number. An edit that changes nothing writes no
    version; a send-back always does, since the note belongs in the history.
    """
    changed = reply.pk is None or body != reply.body
    reply.body = body
    if changed:
        reply.tone_warnings = tone_warnings(
            body, case or reply.case, public_closing=reply.closes_publicly
        )
    reply.save()
    if not changed and reason != VersionReason.SENT_BACK:
        return None
    last = reply.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ReplyVersion.objects.create(
        reply=reply,
        number=last + 1,
        body=body,
        author=actor,
        reason=reason,
        note=note,
        created_at=now,
    )


def diff_html(before: str, after: str) -> SafeString:
    """``after`` marked against ``before`` word by word: removed words in ``<del>``, added ones
    in ``<ins>``, everything escaped (a reply quotes what a stranger wrote)."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(new[j1:j2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(''.join(old[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(''.join(new[j1:j2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


@dataclass(frozen=True, slots=True)
class VersionShown:
    version: ReplyVersion
    #: the text marked against the version before it; None for the first draft
    diff: SafeString | None
    changed: bool


def versions_shown(reply: Reply) -> list[VersionShown]:
    """The reply's versions, oldest first, each with its diff from the one before. Reads
    ``reply.versions.all()``, so a page prefetches them (``VERSIONS_PREFETCH``)."""
    shown: list[VersionShown] = []
    previous: ReplyVersion | None = None
    for version in reply.versions.all():
        if previous is None:
            shown.append(VersionShown(version, None, True))
        else:
            changed = version.body != previous.body
            shown.append(VersionShown(version, diff_html(previous.body, version.body), changed))
        previous = version
    return shown
