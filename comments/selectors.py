"""Reads for the queue page and the API, with the filters both offer."""

from dataclasses import dataclass, field
from datetime import timedelta

import django_filters
from django.db import connection
from django.db.models import (
    CharField,
    F,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from brands.access import brand_ids_for, in_brands
from brands.models import Brand
from cases.models import OPEN_CASE_STATUSES, AuditAction, AuditEvent, Case, CaseNote, CaseStatus
from cases.workflow import WORK
from classifier.ripple import belongs, seed_topics
from classifier.signature import topic_of
from comments.models import Author, Classification, ClassifierVersion, Comment
from core.filters import TimestampFilter
from core.platforms import Platform
from core.taxonomy import NEGATIVE_CATEGORIES, Category, Level

STATUS_OPEN = "open"
STATUS_NO_CASE = "no_case"
STATUS_THANKS = "thanks"
STATUS_CHOICES = [
    (STATUS_OPEN, _("Open (needs work)")),
    *CaseStatus.choices,
    (STATUS_NO_CASE, _("No case (other)")),
    (STATUS_THANKS, _("Waiting for a thank-you")),
]


class CommentFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(
        choices=Level.choices, label=_("Level"), empty_label=_("All")
    )
    category = django_filters.ChoiceFilter(
        choices=Category.choices, label=_("Category"), empty_label=_("All")
    )
    platform = django_filters.ChoiceFilter(
        choices=Platform.choices, label=_("Platform"), empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES,
        method="filter_status",
        label=_("Status"),
        empty_label=_("Any status"),
    )
    since = TimestampFilter(field_name="received_at", lookup_expr="gte", label=_("Received since"))
    until = TimestampFilter(field_name="received_at", lookup_expr="lt", label=_("Received before"))
    q = django_filters.CharFilter(method="filter_text", label=_("Text contains"))
    uncertain = django_filters.ChoiceFilter(
        choices=[("true", _("Only these"))],
        method="filter_uncertain",
        label=_("Needs a human look"),
        empty_label=_("All"),
    )

    class Meta:
        model = Comment
        fields = ["level", "category", "platform", "status", "since", "until", "q", "uncertain"]

    def filter_status(self, queryset, name, value):
        if value == STATUS_OPEN:
            return queryset.filter(case__status__in=OPEN_CASE_STATUSES)
        if value == STATUS_NO_CASE:
            return queryset.filter(case=None)
        if value == STATUS_THANKS:
            return praise_unanswered(queryset)
        return queryset.filter(case__status=value)

    @extend_schema_field({"type": "string", "enum": ["true"]})  # "true" or absent
    def filter_uncertain(self, queryset, name, value):
        """The model's low-confidence calls that no person has corrected yet."""
        return queryset.filter(uncertain=True, classified_by_human=False)

    def filter_text(self, queryset, name, value):
        """A reader searches the text as they may read it: where the brand's personal data is
        masked for them, a search that could spell part of it (a digit, an "@") does not match
        the comments that hold some, or it would tell them who wrote that phone number."""
        value = value.strip()
        if not value:
            return queryset
        matches = queryset.filter(text__icontains=value)
        if not could_spell_personal_data(value):
            return matches
        user = getattr(self.request, "user", None)
        unmasked = brand_ids_for(user, WORK) if user is not None else frozenset()
        return matches.filter(Q(brand_id__in=unmasked) | Q(pii=[]))


def could_spell_personal_data(query: str) -> bool:
    return any(char.isdigit() or char == "@" for char in query)


def praise_unanswered(queryset: QuerySet[Comment]) -> QuerySet[Comment]:
    """Praise nobody has answered yet: `other` with the praise signal among its reasons, and no
    case (answering one opens its case). The reasons are read as text, which both PostgreSQL
    and the embedded SQLite can search."""
    return (
        queryset.filter(category=Category.OTHER, case=None)
        .annotate(reasons_text=Cast("reasons", TextField()))
        .filter(reasons_text__contains='"praise"')
    )


def comments_for_listing(brand_ids: frozenset[int]) -> QuerySet[Comment]:
    """Comments of these brands only: every list and detail of the desk starts here."""
    return in_brands(
        Comment.objects.select_related("author__customer_handle__customer", "case", "brand").defer(
            "raw"
        ),
        brand_ids,
    )


def queue_comments(brand_ids: frozenset[int]) -> QuerySet[Comment]:
    """The live queue's order: red, yellow, green; the oldest first inside a level.

    A known troll's green comments are not work for the queue: they wait on the monitor list.
    """
    return (
        comments_for_listing(brand_ids)
        .exclude(author__is_troll=True, level=Level.GREEN)
        .order_by("level_rank", "posted_at", "id")
    )


def monitored_comments(brand_ids: frozenset[int]) -> QuerySet[Comment]:
    """What known trolls said, newest first: watched, not answered."""
    return (
        comments_for_listing(brand_ids).filter(author__is_troll=True).order_by("-posted_at", "-id")
    )


def access_comment(pk: int, brand_ids: frozenset[int]) -> Comment:
    """A comment with its history; Http404 when it is not in these brands (or does not exist),
    so an id of another brand reveals nothing."""
    comments = (
        in_brands(Comment.objects, brand_ids)
        .select_related("author", "case", "case__assignee", "case__brand", "escalation", "brand")
        .prefetch_related(
            Prefetch(
                "classifications", queryset=Classification.objects.select_related("decided_by")
            ),
            Prefetch("audit_events", queryset=AuditEvent.objects.select_related("actor")),
        )
    )
    return get_object_or_404(comments, pk=pk)


def access_case(pk: int, brand_ids: frozenset[int]) -> Case:
    """A case with its comments and history; Http404 outside these brands."""
    cases = (
        in_brands(Case.objects, brand_ids)
        .select_related("author__customer_handle__customer", "assignee", "brand")
        .prefetch_related(
            Prefetch("comments", queryset=Comment.objects.defer("raw").order_by("posted_at", "id")),
            Prefetch("audit_events", queryset=AuditEvent.objects.select_related("actor")),
            Prefetch("notes", queryset=CaseNote.objects.select_related("author")),
            "follow_ups",
        )
    )
    return get_object_or_404(cases, pk=pk)


def access_author(pk: int, brand_ids: frozenset[int]) -> Author:
    """An author (a customer's handle) with their customer; Http404 outside these brands."""
    authors = in_brands(Author.objects, brand_ids).select_related(
        "brand", "customer_handle__customer"
    )
    return get_object_or_404(authors, pk=pk)


def author_by_handle(brand_id: int, platform: str, handle: str) -> Author | None:
    """The brand's author with this handle on this platform ("@ana" or "ana")."""
    handle = handle.strip()
    spellings = {handle, f"@{handle.lstrip('@')}", handle.lstrip("@")} - {"", "@"}
    return (
        Author.objects.filter(brand_id=brand_id, platform=platform, handle__in=sorted(spellings))
        .order_by("pk")
        .first()
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a customer's history: a comment they wrote, a case opened for them, or a
    note a person wrote on one of their cases."""

    kind: str
    at: object
    item: object


def customer_timeline(author_ids: list[int], brand_ids: frozenset[int]) -> QuerySet:
    """Every comment, case and note of these authors (one customer's handles), newest first,
    as ``(kind, id, at)`` rows for a paginator; ``timeline_entries`` loads a page of them."""

    def rows(queryset, kind: str, at: str, brand: str = "brand"):
        return (
            in_brands(queryset, brand_ids, field=brand)
            .annotate(kind=Value(kind, output_field=CharField()), at=F(at))
            .values_list("kind", "pk", "at")
            .order_by()
        )

    return (
        rows(Comment.objects.filter(author_id__in=author_ids), "comment", "posted_at")
        .union(
            rows(Case.objects.filter(author_id__in=author_ids), "case", "opened_at"),
            rows(
                CaseNote.objects.filter(case__author_id__in=author_ids),
                "note",
                "created_at",
                brand="case__brand",
            ),
            all=True,
        )
        .order_by("-at", "-pk")
    )


def timeline_entries(rows) -> list[TimelineEntry]:
    """A page of ``customer_timeline`` rows with their comments, cases and notes: one query
    per kind on the page, whatever its length."""
    ids: dict[str, list[int]] = {"comment": [], "case": [], "note": []}
    for kind, pk, _at in rows:
        ids[kind].append(pk)
    loaded = {
        "comment": Comment.objects.select_related("author", "case").defer("raw", "ripple_terms"),
        "case": Case.objects.select_related("assignee").annotate(**_first_said()),
        "note": CaseNote.objects.select_related("author", "case"),
    }
    found = {kind: loaded[kind].in_bulk(pks) if pks else {} for kind, pks in ids.items()}
    return [TimelineEntry(kind, at, found[kind][pk]) for kind, pk, at in rows if pk in found[kind]]


def customer_history(author_ids: list[int]) -> QuerySet[AuditEvent]:
    """Who linked and unlinked these handles, and when, oldest first."""
    return AuditEvent.objects.filter(
        author_id__in=author_ids,
        action__in=[AuditAction.CUSTOMER_LINKED, AuditAction.CUSTOMER_UNLINKED],
    ).select_related("actor", "author")


def _first_said() -> dict:
    """What a case's customer first said, and the personal data in it (``first_text``,
    ``first_pii``), so a list masks it as it masks a comment."""
    first = Comment.objects.filter(case=OuterRef("pk")).order_by("posted_at", "pk")
    return {
        "first_text": Subquery(first.values("text")[:1]),
        "first_pii": Subquery(first.values("pii")[:1], output_field=JSONField()),
    }


def cases_for_listing(
    brand_ids: frozenset[int], *, status: str = STATUS_OPEN, assignee=None
) -> QuerySet[Case]:
    """A brand's cases for the case list: the most urgent first, then the oldest deadline.
    Each carries what its customer first said (``first_text``): a handle alone told a
    community manager nothing about which case to open."""
    cases = in_brands(
        Case.objects.select_related(
            "author__customer_handle__customer", "assignee", "brand"
        ).annotate(**_first_said()),
        brand_ids,
    )
    if status == STATUS_OPEN:
        cases = cases.filter(status__in=OPEN_CASE_STATUSES)
    elif status in CaseStatus.values:
        cases = cases.filter(status=status)
    if assignee is not None:
        cases = cases.filter(assignee=assignee)
    return cases.order_by("level_rank", "response_due_at", "id")


#: How far back the case page looks for others with the same complaint, and how many recent
#: negative comments it reads at most: a case page must stay fast on a brand's busiest day.
OTHERS_AFFECTED_HOURS = 48
OTHERS_AFFECTED_SCAN = 500


@dataclass(frozen=True)
class OthersAffected:
    """Other customers of the brand with the same complaint as a case, lately."""

    authors: int = 0  # distinct other customers found
    more_than: bool = False  # the scan stopped at its limit: there may be more
    examples: list = field(default_factory=list)  # their latest comments, one per customer
    hours: int = OTHERS_AFFECTED_HOURS


def others_affected(case: Case, *, now=None, shown: int = 5) -> OthersAffected:
    """ "It is probably not an isolated incident": the brand's other customers whose recent
    complaints are about what this case's comments are about, by the ripple detector's own
    measure (``belongs`` on their signatures), whether or not they reached a ripple."""
    topics = {
        seed
        for comment in case.comments.all()
        if comment.ripple_terms
        for seed in seed_topics(topic_of(comment.ripple_terms))
    }
    if not topics:
        return OthersAffected()
    since = (now or timezone.now()) - timedelta(hours=OTHERS_AFFECTED_HOURS)
    candidates = Comment.objects.filter(
        brand_id=case.brand_id, received_at__gte=since, category__in=NEGATIVE_CATEGORIES
    )
    if connection.vendor == "postgresql":
        # jsonb ``?|`` matches the signature array's terms; SQLite's JSON key look-up reads
        # object keys only, so there the scan's rows are all compared in Python.
        candidates = candidates.filter(ripple_terms__has_any_keys=sorted(set().union(*topics)))
    recent = list(
        candidates.exclude(author_id=case.author_id)
        .select_related("author")
        .defer("raw")
        .order_by("-received_at", "-id")[:OTHERS_AFFECTED_SCAN]
    )
    latest_by_author: dict[int, Comment] = {}
    for comment in recent:
        if comment.author_id in latest_by_author or not comment.ripple_terms:
            continue
        topic = topic_of(comment.ripple_terms)
        if any(belongs(topic, seed) for seed in topics):
            latest_by_author[comment.author_id] = comment
    return OthersAffected(
        authors=len(latest_by_author),
        more_than=len(recent) == OTHERS_AFFECTED_SCAN,
        examples=list(latest_by_author.values())[:shown],
    )


@dataclass
class BrandModels:
    """What the classifier page says about one brand's models."""

    brand: object
    versions: list
    active: object | None
    in_flight: object | None
    corrections_since: int


def brand_models(brand_ids: frozenset[int], *, versions_shown: int = 10) -> list[BrandModels]:
    """Each brand's latest retrains (without their weights) and the corrections its latest
    trained model has not seen yet."""
    State = ClassifierVersion.State
    result = []
    for brand in in_brands(Brand.objects, brand_ids, field="pk").order_by("name"):
        versions = list(
            ClassifierVersion.objects.filter(brand=brand)
            .select_related("requested_by")
            .defer("weights")[:versions_shown]
        )
        through = max((v.trained_through for v in versions if v.trained_through), default=None)
        corrections = Classification.objects.filter(is_human=True, comment__brand=brand)
        if through is not None:
            corrections = corrections.filter(created_at__gt=through)
        result.append(
            BrandModels(
                brand=brand,
                versions=versions,
                active=next((v for v in versions if v.state == State.ACTIVE), None)
                or ClassifierVersion.objects.filter(brand=brand, state=State.ACTIVE)
                .defer("weights")
                .first(),
                in_flight=next(
                    (v for v in versions if v.state in (State.QUEUED, State.TRAINING)), None
                ),
                corrections_since=corrections.count(),
            )
        )
    return result
