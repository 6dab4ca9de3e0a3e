"""What every page shares: a paginator that stays cheap on a large queue, the way a refused
action reaches the person, and the way back to the page a form came from."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError

QUEUE_PAGE_SIZE = 50
# Counting every open comment on each poll costs a scan of the whole open queue; past this many
# the page says "more than" and the filters narrow it, so a poll stays as cheap as one page.
QUEUE_COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most ``cap + 1`` rows; ``is_capped`` says the count is only a floor.

    Pages a queryset, not any sequence: the capped count is a ``COUNT`` over a sliced query.
    (Not ``Paginator[M]``: Django's Paginator is generic only in the stubs, not at run time.)"""

    object_list: QuerySet

    def __init__(self, object_list: QuerySet, per_page: int, *, cap: int):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        # Unordered: the rows counted are the same, and PostgreSQL need not sort them first.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    def page(self, number: int | str) -> Page:
        # A full page even when the capped count ends inside it.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return Page(self.object_list[bottom : bottom + self.per_page], number, self)


def perform(request, action: Callable[[], object], *, done: str) -> bool:
    """Run a page's action. A rule's refusal is shown to the person as a warning, never a server
    error; a row outside their brands (or gone) is a 404; success says ``done``. True when the
    action went through."""
    try:
        action()
    except DomainError as error:
        messages.warning(request, str(error))
        return False
    except ObjectDoesNotExist:
        raise Http404 from None
    messages.success(request, done)
    return True


def back_url(request, default: str) -> str:
    """The page the form came from (``next``), when it is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
