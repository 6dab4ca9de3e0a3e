"""The brand's FAQ: questions with the answers a supervisor approved, suggested in the reply box.

An entry is a suggestion like a template (``replies.templated``): the person inserts it into
the draft and makes it this customer's; the draft goes through the usual approval path and a
FAQ answer sent on unchanged is refused like an unchanged template. A use is counted when a
draft made from an entry is submitted (``faq_use_record``), not when it is merely looked at.

Stale entries (not reviewed for ``SEMAFORO['FAQ_STALE_DAYS']`` days) are not suggested. The
supervisors' page lists each entry's uses, the stale ones, and the questions customers keep
asking that no entry answers (``missing_questions``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for
from brands.models import Membership
from cases.models import Case
from comments.models import Comment
from core.errors import DomainError
from core.taxonomy import Category
from replies import matching, protocols
from replies.matching import Ranked
from replies.models import FaqEntry, FaqUse, Reply

CHANGE = "replies.change_faqentry"
SUGGESTIONS = 5
#: The window of the "used" and "missing" columns of the supervisors' page.
RECENT_DAYS = 30
#: A question whose best entry scores below this is not answered by the FAQ.
WEAK_MATCH = 0.5
#: Questions read for the "missing" list: the brand's most recent ones.
MISSING_SCAN = 500
#: Asked by at least this many comments to be listed as missing.
MISSING_MIN_ASKED = 2
#: Two questions are the same when they share this much of their words (Jaccard).
SAME_QUESTION = 0.5
MAX_TAGS = 12


@dataclass(frozen=True)
class FaqEdit:
    language: str
    question: str
    answer: str
    tags: list[str]
    owner_id: int | None


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags as a person types them, trimmed and without repeats."""
    tags = [tag.strip()[:40] for tag in text.split(",") if tag.strip()]
    return list(dict.fromkeys(tags))[:MAX_TAGS]


def stale_before(now: datetime) -> datetime:
    return now - timedelta(days=settings.SEMAFORO["FAQ_STALE_DAYS"])


def is_stale(entry: FaqEntry, *, now: datetime) -> bool:
    return entry.reviewed_at < stale_before(now)


def fresh_entries(brand_id: int, *, now: datetime) -> QuerySet[FaqEntry]:
    """The brand's entries the reply box may suggest (``faqentry_brand_reviewed``)."""
    return FaqEntry.objects.filter(brand_id=brand_id, reviewed_at__gte=stale_before(now))


def case_text(case: Case) -> str:
    """What the customer said on the case (its first 20 comments), as the suggestions read it.
    Reads the comments the case page prefetched (oldest first) rather than asking again."""
    return "\n".join(comment.text for comment in list(case.comments.all())[:20])


def faq_suggestions(
    case: Case, *, query: str = "", now: datetime | None = None, limit: int = SUGGESTIONS
) -> list[Ranked[FaqEntry]]:
    """The case's brand's fresh entries that match ``query`` (what the person typed in the
    search field) or, without one, the customer's comments; best first."""
    said = matching.terms_of(query if query.strip() else case_text(case))
    if not said:
        return []
    entries = fresh_entries(case.brand_id, now=now or timezone.now())
    return matching.rank(
        said,
        ((entry, *matching.terms_of_entry(entry.question, entry.tags)) for entry in entries),
        limit=limit,
    )


def suggested_entry(case: Case, entry_id: int, *, now: datetime | None = None) -> FaqEntry | None:
    """The entry a person chose for this case's draft: of the case's brand and not stale,
    or None (another brand's id is simply not there)."""
    return fresh_entries(case.brand_id, now=now or timezone.now()).filter(pk=entry_id).first()


def access_entry(*, entry_id: int, brand_ids: frozenset[int]) -> FaqEntry:
    """The entry if it belongs to one of these brands; ``FaqEntry.DoesNotExist`` otherwise."""
    return FaqEntry.objects.select_related("brand", "owner").get(
        pk=entry_id, brand_id__in=sorted(brand_ids)
    )


def brand_people(brand_ids: frozenset[int]):
    """Who may own these brands' entries: the people who hold a role there."""
    return (
        get_user_model()
        .objects.filter(memberships__brand_id__in=sorted(brand_ids), is_active=True)
        .distinct()
        .order_by("username")
    )


def _validated(brand_id: int, edit: FaqEdit, *, entry_id: int | None) -> tuple[FaqEdit, int]:
    """The edit cleaned, and its owner's id (a person of the brand)."""
    question, answer = " ".join(edit.question.split()), edit.answer.strip()
    if not question:
        raise DomainError(_("Write the question."), field="question")
    if not answer:
        raise DomainError(_("Write the approved answer."), field="answer")
    if edit.language not in protocols.LANGUAGES:
        raise DomainError(_("Choose the language of the entry."), field="language")
    unknown = protocols.unknown_placeholders(answer)
    if unknown:
        raise DomainError(
            _("Unknown placeholder {%(name)s}: use %(known)s.")
            % {
                "name": unknown[0],
                "known": ", ".join(f"{{{p}}}" for p in protocols.PLACEHOLDERS),
            },
            field="answer",
        )
    owner_id = edit.owner_id
    if owner_id is None or not (
        Membership.objects.filter(brand_id=brand_id, user_id=owner_id).exists()
    ):
        raise DomainError(_("Choose an owner among the brand's people."), field="owner")
    twin = FaqEntry.objects.filter(brand_id=brand_id, language=edit.language, question=question)
    if entry_id is not None:
        twin = twin.exclude(pk=entry_id)
    if twin.exists():
        raise DomainError(_("The FAQ already has this question."), field="question")
    return FaqEdit(edit.language, question, answer, edit.tags, owner_id), owner_id


@transaction.atomic
def faq_save(
    *, actor, edit: FaqEdit, brand_id: int | None = None, entry_id: int | None = None
) -> FaqEntry:
    """A supervisor adds an entry to one of their brands, or changes one. Saving is reviewing:
    whoever saves it vouches for the answer today."""
    brand_ids = brand_ids_for(actor, CHANGE)
    if entry_id is not None:
        entry = (
            FaqEntry.objects.select_for_update()
            .filter(pk=entry_id, brand_id__in=sorted(brand_ids))
            .first()
        )
        if entry is None:
            raise FaqEntry.DoesNotExist(f"FAQ entry {entry_id}")
    elif brand_id in brand_ids:
        entry = FaqEntry(brand_id=brand_id)
    else:
        raise DomainError(_("Choose one of your brands."), field="brand")
    edit, owner_id = _validated(entry.brand_id, edit, entry_id=entry_id)
    entry.language, entry.question, entry.answer = edit.language, edit.question, edit.answer
    entry.tags, entry.owner_id = edit.tags, owner_id
    entry.reviewed_at = timezone.now()
    entry.save()
    return entry


@transaction.atomic
def faq_mark_reviewed(*, entry_id: int, actor) -> FaqEntry:
    """A supervisor reread the answer and it still holds: it is suggested again."""
    entry = access_entry(entry_id=entry_id, brand_ids=brand_ids_for(actor, CHANGE))
    entry.reviewed_at = timezone.now()
    entry.save(update_fields=["reviewed_at", "updated_at"])
    return entry


@transaction.atomic
def faq_delete(*, entry_id: int, actor) -> None:
    """Replies drafted from it keep their text; its uses go with it."""
    access_entry(entry_id=entry_id, brand_ids=brand_ids_for(actor, CHANGE)).delete()


def faq_use_record(reply: Reply, *, actor, now: datetime) -> FaqUse | None:
    """Count the use of the FAQ answer a reply was drafted from, once per reply (a reply sent
    back and submitted again is one use). Called by ``reply_submit`` in its transaction."""
    if reply.faq_entry_id is None:
        return None
    use, _created = FaqUse.objects.get_or_create(
        reply=reply, defaults={"entry_id": reply.faq_entry_id, "used_by": actor, "used_at": now}
    )
    return use


# --- the supervisors' page ------------------------------------------------------------------


@dataclass(frozen=True)
class EntryRow:
    entry: FaqEntry
    uses: int
    recent_uses: int
    last_used: datetime | None
    stale: bool


def faq_rows(brand_ids: frozenset[int], *, now: datetime) -> list[EntryRow]:
    """Every entry of these brands with its uses (all, and of the last ``RECENT_DAYS``),
    most used first, in one query."""
    since = now - timedelta(days=RECENT_DAYS)
    entries = (
        FaqEntry.objects.filter(brand_id__in=sorted(brand_ids))
        .select_related("brand", "owner")
        .annotate(
            use_count=Count("uses"),
            recent_count=Count("uses", filter=Q(uses__used_at__gte=since)),
            last_used=Max("uses__used_at"),
        )
        .order_by("brand__name", "-recent_count", "-use_count", "question")
    )
    return [
        EntryRow(
            entry=entry,
            uses=entry.use_count,
            recent_uses=entry.recent_count,
            last_used=entry.last_used,
            stale=is_stale(entry, now=now),
        )
        for entry in entries
    ]


@dataclass
class MissingQuestion:
    """Questions customers asked that no entry answers well, grouped when alike."""

    brand_id: int
    example: str
    comment_id: int
    asked: int
    best_score: float
    terms: frozenset[str]
    words: list[str]


def missing_questions(
    brand_ids: frozenset[int], *, now: datetime, limit: int = 10
) -> list[MissingQuestion]:
    """The most asked questions of the last ``RECENT_DAYS`` with no good FAQ entry.

    The rule, as the page says it: the brand's most recent ``MISSING_SCAN`` PQR comments that
    read as a question (a "?" or a question word first) whose best entry, stale or not, scores
    below ``WEAK_MATCH`` by the reply box's matching; alike questions (sharing half their
    words) are counted together; those asked at least ``MISSING_MIN_ASKED`` times, most asked
    first.
    """
    found: list[MissingQuestion] = []
    for brand_id in sorted(brand_ids):
        found.extend(_missing_in_brand(brand_id, now=now))
    found.sort(key=lambda m: (-m.asked, m.best_score))
    return found[:limit]


def _missing_in_brand(brand_id: int, *, now: datetime) -> list[MissingQuestion]:
    entries = [
        matching.terms_of_entry(question, tags)
        for question, tags in FaqEntry.objects.filter(brand_id=brand_id).values_list(
            "question", "tags"
        )
    ]
    comments = (
        Comment.objects.filter(
            brand_id=brand_id,
            category=Category.PQR,
            posted_at__gte=now - timedelta(days=RECENT_DAYS),
        )
        .order_by("-posted_at", "-id")
        .values_list("id", "text")[:MISSING_SCAN]
    )
    groups: list[MissingQuestion] = []
    for comment_id, text in comments:
        if not matching.is_question(text):
            continue
        said = matching.terms_of(text)
        terms = said.all()
        if not terms:
            continue
        best = matching.best_score(said, entries)
        if best >= WEAK_MATCH:
            continue
        group = next((g for g in groups if _alike(g.terms, terms)), None)
        if group is None:
            groups.append(
                MissingQuestion(
                    brand_id, text, comment_id, 1, best, terms, list(said.words.values())[:6]
                )
            )
        else:
            group.asked += 1
    return [g for g in groups if g.asked >= MISSING_MIN_ASKED]


def _alike(first: frozenset[str], second: frozenset[str]) -> bool:
    return len(first & second) / len(first | second) >= SAME_QUESTION
