"""The customer: one person at one brand across their handles, remembered across their cases.

``comments.Author`` is a handle on one platform at one brand. A person who works cases may link
another handle of the same brand as the same customer (and unlink it): the customer page then
shows both handles' comments and cases, and what the customer gave in private is shown on every
case of either (``privacy.py``). Each link and unlink is audited on both authors.

The authors are handed in by the pages, which read them through ``brands.access``; this module
checks that the person works cases at their brand and that both belong to it.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for
from cases.models import AuditAction, AuditEvent, Customer, CustomerHandle
from cases.workflow import WORK
from core.errors import DomainError


def customer_of(author) -> Customer | None:
    """The author's customer, or None for a customer of one handle with nothing recorded.
    Reads ``author.customer_handle`` (select it with the author in lists)."""
    handle = getattr(author, "customer_handle", None)
    return handle.customer if handle is not None else None


def customer_personal_data(author) -> dict:
    customer = customer_of(author)
    return customer.personal_data if customer is not None else {}


def customer_handles(author) -> list:
    """The author and the other handles linked to them, the author first."""
    linked = (
        CustomerHandle.objects.filter(customer__handles__author_id=author.pk)
        .exclude(author_id=author.pk)
        .select_related("author")
        .order_by("author__platform", "author__handle")
    )
    return [author, *(handle.author for handle in linked)]


def customer_for_update(author) -> Customer:
    """The author's customer, locked, created on first need. Call inside a transaction."""
    found = Customer.objects.select_for_update().filter(handles__author_id=author.pk).first()
    if found is not None:
        return found
    customer = Customer.objects.create(brand_id=author.brand_id)
    try:
        with transaction.atomic():
            CustomerHandle.objects.create(customer=customer, author_id=author.pk)
    except IntegrityError:
        # A concurrent request gave the author a customer first: use that one.
        customer.delete()
        return Customer.objects.select_for_update().get(handles__author_id=author.pk)
    return customer


def _check(actor, author, other) -> None:
    if author.brand_id not in brand_ids_for(actor, WORK):
        raise Customer.DoesNotExist(f"author {author.pk}")
    if other.brand_id != author.brand_id:
        raise DomainError(_("Only handles of the same brand can be the same customer."))
    if other.pk == author.pk:
        raise DomainError(_("Choose another handle than this one."))


def _audit(actor, action: str, author, other, *, now) -> None:
    """One event on each author, so each one's customer page tells it."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action=action,
            author_id=one.pk,
            created_at=now,
            after={"author": two.pk, "platform": two.platform, "handle": two.handle},
        )
        for one, two in ((author, other), (other, author))
    )


@transaction.atomic
def customer_link(*, actor, author, other) -> Customer:
    """Link ``other`` (and whatever handles it was linked to) to ``author``'s customer.

    What each one gave in private is merged, the later recording winning field by field, so
    a customer who gave their phone on one handle and their e-mail on another is asked neither.
    """
    _check(actor, author, other)
    mine, theirs = customer_for_update(author), customer_for_update(other)
    if mine.pk == theirs.pk:
        raise DomainError(_("These handles are already the same customer."))
    earlier, later = sorted(
        (mine, theirs), key=lambda c: (c.personal_data_at is not None, c.personal_data_at or 0)
    )
    mine.personal_data = {**earlier.personal_data, **later.personal_data}
    mine.personal_data_at = later.personal_data_at or earlier.personal_data_at
    mine.save(update_fields=["personal_data", "personal_data_at"])
    CustomerHandle.objects.filter(customer=theirs).update(customer=mine)
    theirs.delete()
    _audit(actor, AuditAction.CUSTOMER_LINKED, author, other, now=timezone.now())
    return mine


@transaction.atomic
def customer_unlink(*, actor, author, other) -> None:
    """Take ``other`` out of ``author``'s customer: a link made by mistake.

    What was recorded stays with ``author``'s customer; ``other`` starts again with nothing,
    because whose it is was exactly what the link got wrong.
    """
    _check(actor, author, other)
    customer = customer_for_update(author)
    removed, _kinds = CustomerHandle.objects.filter(customer=customer, author_id=other.pk).delete()
    if not removed:
        raise DomainError(_("These handles are not linked."))
    _audit(actor, AuditAction.CUSTOMER_UNLINKED, author, other, now=timezone.now())
