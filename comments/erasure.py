"""Erasing one author: what they wrote and gave, wherever the desk copied it.

``authors_erase(platform=…, handle=…)`` (``manage.py erase_author``, and the admin's action on
authors) anonymises every author with that handle on that platform, at every brand or one:

- the author's handle becomes ``erased-<digest>-<id>`` (a keyed digest of the platform and
  handle, so a re-run finds it and changes nothing, while the handle cannot be read back) and
  the display name goes;
- their comments keep their place, times, counts and decisions, so every indicator (rollups,
  rebuilt or not) counts them the same, but their text becomes ``[…]`` and the raw payload, the
  personal-data spans, the ripple signature, the link, the reasons' evidence and the earlier
  texts go;
- on their cases: notes, follow-up answers and what a department was handed (``cases.erasure``),
  and the customer's recorded personal data;
- the audit events about them keep who did what and when, their payloads anonymised through
  ``cases.erasure.audit_events_anonymise``, the one path that may rewrite the log.

Then every text, JSON and binary column of every model (read from the app registry, so a model
added later is searched too; not those of staff and brand set-up) is searched for the person's
identifiers: the handle, the name, what their customer record held, the personal data found in
their comments, and the start of each comment's text. An identifier is replaced where it
stands; a string that quotes their comment (a crisis timeline, a chat notice, a mail) is replaced
whole. A copy written with other separators (``300-123-4567`` for ``300 123 4567``) is not
found: the search is a plain ``ILIKE`` per column, a full scan, fine for a command a person runs
now and then.

The erasure itself is audited: who, when, the platform and the brand, never the handle.
"""

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import erasure as case_erasure
from cases.models import AuditAction, AuditEvent, Customer
from comments.models import Author, Classification, Comment, CommentRevision
from core.errors import DomainError
from core.pii import pii_mask_strings, pii_spans

ERASED = case_erasure.ERASED
ERASED_PREFIX = "erased-"
#: Shorter identifiers are not searched for: "Al" would erase half the desk.
MIN_NEEDLE = 3
#: How much of the start of a comment's text marks a copy of it.
QUOTE_CHARS = 60
QUOTE_MIN = 20


class AuthorNotFound(DomainError):
    pass


@dataclass
class Erasure:
    authors: int = 0
    already_erased: int = 0
    comments: int = 0
    cases: int = 0
    rows_scrubbed: int = 0
    brands: list[str] = field(default_factory=list)

    def add(self, other: "Erasure") -> None:
        self.authors += other.authors
        self.already_erased += other.already_erased
        self.comments += other.comments
        self.cases += other.cases
        self.rows_scrubbed += other.rows_scrubbed
        self.brands += other.brands


def erased_handle_stem(platform: str, handle: str) -> str:
    """``erased-<digest>-``: the same for the same handle, readable by no one without the key."""
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"{platform}\n{handle}".encode(), hashlib.sha256).hexdigest()
    return f"{ERASED_PREFIX}{digest[:24]}-"


def authors_erase(*, platform: str, handle: str, actor=None, brand_id: int | None = None):
    """Erase every author with ``handle`` on ``platform`` (at ``brand_id`` only, if given).

    AuthorNotFound when the desk never knew the handle; a handle already erased answers an
    ``Erasure`` with ``already_erased`` and changes nothing."""
    live = Author.objects.filter(platform=platform, handle=handle)
    erased = Author.objects.filter(
        platform=platform, handle__startswith=erased_handle_stem(platform, handle)
    )
    if brand_id is not None:
        live, erased = live.filter(brand_id=brand_id), erased.filter(brand_id=brand_id)
    author_ids = list(live.order_by("pk").values_list("pk", flat=True))
    already = erased.count()
    if not author_ids and not already:
        raise AuthorNotFound(
            _("No author %(handle)s on %(platform)s.") % {"handle": handle, "platform": platform}
        )
    result = Erasure(already_erased=already)
    for author_id in author_ids:
        result.add(author_erase(author_id=author_id, actor=actor))
    return result


def author_erase(*, author_id: int, actor=None) -> Erasure:
    """Erase one author (see the module); idempotent: an erased author is left as it is."""
    with transaction.atomic():
        author = Author.objects.select_for_update().select_related("brand").get(pk=author_id)
        if author.handle.startswith(ERASED_PREFIX):
            return Erasure(already_erased=1)
        comments = list(Comment.objects.filter(author=author).only("pk", "text", "pii"))
        comment_ids = [c.pk for c in comments]
        case_ids = list(author.cases.values_list("pk", flat=True))
        traces = _Traces.of(author, comments)
        traces.add(case_erasure.customer_forget(author_id=author.pk))
        audit_ids = case_erasure.audit_events_of(
            author_id=author.pk, case_ids=case_ids, comment_ids=comment_ids
        )

        comments_forget(comment_ids)
        rows = case_erasure.case_records_erase(case_ids=case_ids)
        platform = author.platform
        author.handle = erased_handle_stem(platform, author.handle) + str(author.pk)
        author.display_name = ""
        author.save(update_fields=["handle", "display_name", "updated_at"])
        rows += case_erasure.audit_events_anonymise(
            audit_ids, lambda value: pii_mask_strings(traces.scrub_json(value))
        )
        rows += _traces_scrub(traces)
        AuditEvent.objects.create(
            actor=actor,
            action=AuditAction.AUTHOR_ERASED,
            author=author,
            after={
                "platform": platform,
                "brand": author.brand.slug,
                "comments": len(comment_ids),
                "cases": len(case_ids),
            },
            created_at=timezone.now(),
        )
    return Erasure(
        authors=1,
        comments=len(comment_ids),
        cases=len(case_ids),
        rows_scrubbed=rows,
        brands=[author.brand.slug],
    )


def comments_forget(comment_ids: list[int]) -> None:
    """The comments stay (counts, decisions, cases); what their author wrote goes: the text, the
    raw payload, the personal-data spans, the ripple signature, the link, the reasons' evidence
    and the earlier texts. The erasure and the retention purge (``comments.retention``) share it."""
    for comment in Comment.objects.filter(pk__in=comment_ids).only("pk", "reasons"):
        Comment.objects.filter(pk=comment.pk).update(
            text=ERASED,
            raw={},
            pii=[],
            ripple_terms=None,
            url="",
            reasons=_without_evidence(comment.reasons),
        )
    for decision in Classification.objects.filter(comment_id__in=comment_ids).only("reasons"):
        Classification.objects.filter(pk=decision.pk).update(
            reasons=_without_evidence(decision.reasons), note=""
        )
    CommentRevision.objects.filter(comment_id__in=comment_ids).delete()


def _without_evidence(reasons) -> list:
    return [{**reason, "evidence": ""} for reason in reasons or [] if isinstance(reason, dict)]


class _Traces:
    """What identifies the person, and how to take it out of a string or a JSON value."""

    def __init__(self) -> None:
        self.identifiers: set[str] = set()
        self.quotes: set[str] = set()

    @classmethod
    def of(cls, author: Author, comments: list[Comment]) -> "_Traces":
        traces = cls()
        handle = author.handle
        traces.add([handle, handle.lstrip("@"), author.display_name])
        for comment in comments:
            traces.add(comment.text[start:end] for start, end, _kind in comment.pii or [])
            first_line = comment.text.strip().split("\n", 1)[0][:QUOTE_CHARS].strip()
            if len(first_line) >= QUOTE_MIN:
                traces.quotes.add(first_line)
        return traces

    def add(self, values: Iterable[str]) -> None:
        for value in values:
            value = (value or "").strip()
            if len(value) >= MIN_NEEDLE:
                self.identifiers.add(value)
                digits = re.sub(r"\D", "", value)
                if len(digits) >= 7 and _NUMBER.fullmatch(value):
                    self.identifiers.add(digits)

    def needles(self) -> list[str]:
        return sorted(self.identifiers | self.quotes)

    def _pattern(self) -> re.Pattern:
        alternatives = [_identifier_pattern(value) for value in sorted(self.identifiers, key=len)]
        return re.compile("|".join(reversed(alternatives)) or r"(?!)", re.IGNORECASE)

    def scrub(self, value: str) -> str:
        folded = value.casefold()
        if any(quote.casefold() in folded for quote in self.quotes):
            return ERASED
        if not hasattr(self, "_compiled"):
            self._compiled = self._pattern()
        return self._compiled.sub(ERASED, value)

    def scrub_json(self, value):
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub_json(item) for key, item in value.items()}
        return value


_NUMBER = re.compile(r"[\d\s().+-]+")


def _identifier_pattern(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 7 and _NUMBER.fullmatch(value):  # a number, written with any separators
        return r"(?<!\d)" + r"[\s().-]*".join(digits) + r"(?!\d)"
    return r"(?<!\w)" + re.escape(value) + r"(?!\w)"


# --- every column of the desk ---------------------------------------------------------------

_TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


#: Apps whose rows are about the desk's own people and set-up, never a customer: a member of
#: staff or a brand that shares a customer's name keeps it.
_NOT_ABOUT_CUSTOMERS = {"auth", "contenttypes", "sessions", "axes", "brands", "accounts"}


def _searched_models() -> list[type[models.Model]]:
    """Every model of the registry (the desk's, and Django's admin log among the others) but
    those of ``_NOT_ABOUT_CUSTOMERS``, and the author and customer rows the erasure rewrote
    itself: another customer who happens to share the person's name keeps it."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in _NOT_ABOUT_CUSTOMERS and model not in (Author, Customer)
    ]


def _searched_fields(model) -> tuple[list, list]:
    """The model's free text and JSON columns, and its binary ones. Identifiers the database
    keeps unique (an external id, a handle) are not free text: rewriting one could collide."""
    unique = {
        name
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        for name in constraint.fields
    }
    texts, binaries = [], []
    for column in model._meta.concrete_fields:
        if column.choices or column.unique or column.name in unique or column.primary_key:
            continue
        if isinstance(column, _TEXT_FIELDS):
            texts.append(column)
        elif isinstance(column, models.BinaryField):
            binaries.append(column)
    return texts, binaries


def _traces_scrub(traces: _Traces) -> int:
    needles = traces.needles()
    if not needles:
        return 0
    rows = 0
    for model in _searched_models():
        texts, binaries = _searched_fields(model)
        if texts:
            rows += _scrub_texts(model, texts, needles, traces)
        for column in binaries:
            rows += _scrub_binary(model, column, needles, traces)
    return rows


def _scrub_texts(model, columns, needles: list[str], traces: _Traces) -> int:
    found = Q()
    for column in columns:
        for needle in needles:
            found |= Q(**{f"{column.name}__icontains": needle})
    names = [column.name for column in columns]
    hits = model._default_manager.filter(found).only("pk", *names)
    if model is AuditEvent:  # the log is rewritten through its one path
        ids = list(hits.values_list("pk", flat=True))
        return case_erasure.audit_events_anonymise(ids, traces.scrub_json)
    rows = 0
    for row in hits.iterator():
        changes = {}
        for name in names:
            value = getattr(row, name)
            cleaned = traces.scrub_json(value)
            if cleaned != value:
                changes[name] = cleaned
        if model is Comment and "text" in changes:  # another customer quoted them
            changes["pii"] = pii_spans(changes["text"])
        if changes:
            model._default_manager.filter(pk=row.pk).update(**changes)
            rows += 1
    return rows


def _scrub_binary(model, column, needles: list[str], traces: _Traces) -> int:
    """A payload kept byte for byte (a platform's webhook body): found with the database's own
    byte search, rewritten as JSON (or text) without the person."""
    table, name = model._meta.db_table, column.column
    search = (
        f'position(%s::bytea in "{table}"."{name}")'
        if connection.vendor == "postgresql"
        else f'instr("{table}"."{name}", %s)'
    )
    forms = sorted({form for needle in needles for form in _byte_forms(needle)})
    found = Q()
    for index in range(len(forms)):
        found |= Q(**{f"_erasure_hit_{index}__gt": 0})
    # The SQL names a table and a column of the model's own meta; the needle is a parameter.
    hits = model._default_manager.annotate(
        **{f"_erasure_hit_{i}": RawSQL(search, (form,)) for i, form in enumerate(forms)}  # noqa: S611
    ).filter(found)
    rows = 0
    for row in hits.only("pk", column.name).iterator():
        try:
            text = bytes(getattr(row, column.name)).decode("utf-8")
        except UnicodeDecodeError:
            continue  # not text: nothing of a person can be read from it either
        try:
            cleaned = json.dumps(traces.scrub_json(json.loads(text)), ensure_ascii=False)
        except ValueError:
            cleaned = traces.scrub(text)
        model._default_manager.filter(pk=row.pk).update(**{column.name: cleaned.encode()})
        rows += 1
    return rows


def _byte_forms(needle: str) -> set[bytes]:
    """The needle as UTF-8, and as JSON writes it with non-ASCII escaped (``Luc\\u00eda``)."""
    escaped = json.dumps(needle)[1:-1]
    return {needle.encode(), escaped.encode()}
