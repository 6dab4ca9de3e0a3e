"""Test data: API items for intake tests, and model factories for everything downstream.

A test whose subject is intake or the classifier sends ``comment_item`` through ``ingest``. A
test that only needs "a yellow pqr case" builds it with ``CaseFactory`` / ``case_with_comment``:
what the lexicon decides about a sample text is then no part of what it asserts.
"""

import contextlib
import itertools
import time
from unittest import mock

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from brands.models import Brand
from cases import clocks
from cases.models import OPEN_CASE_STATUSES, AuditAction, AuditEvent, Case, CaseStatus
from comments.models import Author, Classification, Comment
from core.taxonomy import LEVEL_RANK, Category, Level
from outbound import mails
from outbound.models import Mail

_ids = itertools.count(1)


def comment_item(**overrides) -> dict:
    """A valid API item; every call gets a new external id unless one is given."""
    n = next(_ids)
    item = {
        "platform": "twitter",
        "external_id": f"t-{n}",
        "text": "Hola, como activo las compras online con la tarjeta de debito?",
        "author_handle": f"@customer{n}",
        "author_followers": 150,
        "likes": 0,
        "shares": 0,
    }
    item.update(overrides)
    return item


RED_TEXT = "Voy a denunciar ante la PROFECO, me intoxique con la comida que me vendieron"
GREEN_TEXT = "Hola, a que hora abren la sucursal del centro el domingo?"
CLAIM_TEXT = "Me cobraron dos veces la cuota de este mes, pueden revisar por favor?"


def _rank(obj) -> int:
    return LEVEL_RANK[Level(obj.level)]


class BrandFactory(factory.django.DjangoModelFactory):
    """A brand of its own; tests of the personas pass ``brand=aurora`` instead."""

    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    brand = factory.SubFactory(BrandFactory)
    platform = "twitter"
    handle = factory.Sequence(lambda n: f"@author{n}")
    followers = 100


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment as intake stores it, with the one automatic ``Classification`` intake writes
    beside it (``classification=None`` for a comment without one). ``level_rank`` follows
    ``level``. Given ``case=``, it is filed there: its brand, author and thread are the case's
    unless given."""

    class Meta:
        model = Comment
        skip_postgeneration_save = True

    case = None
    brand = factory.Maybe(
        "case", factory.SelfAttribute("case.brand"), factory.SubFactory(BrandFactory)
    )
    author = factory.Maybe(
        "case",
        factory.SelfAttribute("case.author"),
        factory.SubFactory(AuthorFactory, brand=factory.SelfAttribute("..brand")),
    )
    thread_key = factory.Maybe("case", factory.SelfAttribute("case.thread_key"), "")
    platform = factory.SelfAttribute("author.platform")
    external_id = factory.Sequence(lambda n: f"f-{n}")
    text = CLAIM_TEXT
    posted_at = factory.LazyFunction(timezone.now)
    author_followers = factory.SelfAttribute("author.followers")
    category = Category.PQR
    level = Level.GREEN
    level_rank = factory.LazyAttribute(_rank)
    confidence = 0.9
    reasons = factory.LazyFunction(list)
    model_version = "factory"
    classification = factory.RelatedFactory(
        "tests.factories.ClassificationFactory", factory_related_name="comment"
    )


class ClassificationFactory(factory.django.DjangoModelFactory):
    """The model's decision about a comment (``is_human=True, decided_by=`` for a person's)."""

    class Meta:
        model = Classification

    comment = factory.SubFactory(CommentFactory, classification=None)
    category = factory.SelfAttribute("comment.category")
    level = factory.SelfAttribute("comment.level")
    confidence = factory.SelfAttribute("comment.confidence")
    reasons = factory.SelfAttribute("comment.reasons")
    model_version = factory.SelfAttribute("comment.model_version")


class CaseFactory(factory.django.DjangoModelFactory):
    """An open case as intake opens it: its own author (so no two break the one-open-case per
    author and thread constraint), the brand's deadline for its level, and the ``case_opened``
    audit event (``opened_event=False`` to leave it out).

    ``with_comment=True`` files one comment of the same author, level and category on it;
    ``comment__text="..."`` (or any other ``comment__`` field) shapes that comment.
    """

    class Meta:
        model = Case
        skip_postgeneration_save = True

    class Params:
        with_comment = factory.Trait(
            comment=factory.RelatedFactory(
                CommentFactory,
                factory_related_name="case",
                category=factory.SelfAttribute("..category"),
                level=factory.SelfAttribute("..level"),
                posted_at=factory.SelfAttribute("..opened_at"),
            )
        )

    brand = factory.SubFactory(BrandFactory)
    author = factory.SubFactory(AuthorFactory, brand=factory.SelfAttribute("..brand"))
    thread_key = ""
    status = CaseStatus.NEW
    category = Category.PQR
    level = Level.YELLOW
    level_rank = factory.LazyAttribute(_rank)
    opened_at = factory.LazyFunction(timezone.now)
    response_due_at = factory.LazyAttribute(
        lambda o: clocks.response_due_for(o.brand, o.level, start=o.opened_at)
    )
    resolution_due_at = factory.LazyAttribute(
        lambda o: clocks.resolution_due_for(o.brand, o.level, start=o.opened_at)
    )
    alarm_at = factory.LazyAttribute(
        lambda o: (
            clocks.clocks_started(o.brand, o.level, now=o.opened_at)["alarm_at"]
            if o.status in OPEN_CASE_STATUSES
            else None
        )
    )

    @factory.post_generation
    def opened_event(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            AuditEvent.objects.create(
                action=AuditAction.CASE_OPENED,
                case=obj,
                created_at=obj.opened_at,
                after={"level": obj.level, "category": obj.category},
            )


def case_with_comment(*, brand, level=Level.YELLOW, category=Category.PQR, **fields) -> Case:
    """An open case with one comment: what most case tests need."""
    return CaseFactory(brand=brand, level=level, category=category, with_comment=True, **fields)


def sign_in(client, username: str) -> None:
    """Sign a test client in as this person. Not ``client.login``: the login throttle (axes)
    checks every password against the request it came with, and ``login`` has none; the login
    page's own tests post the form."""
    client.force_login(get_user_model().objects.get(username=username))


@contextlib.contextmanager
def signed_hours_ago(hours: float):
    """Tokens signed inside are dated ``hours`` ago: Django's signer reads the clock."""
    issued = time.time() - hours * 3600
    with mock.patch("django.core.signing.time.time", return_value=issued):
        yield


def send_mails() -> int:
    """Send every mail the outbox holds that is due, as its worker does (the task is thin)."""
    pending = Mail.objects.filter(sent_at=None, failed_at=None).order_by("pk")
    return mails.mails_send(mail_ids=list(pending.values_list("pk", flat=True)))


@contextlib.contextmanager
def clock_at(moment):
    """The desk's clock (``timezone.now``) reads ``moment`` inside: hours pass in a test."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
