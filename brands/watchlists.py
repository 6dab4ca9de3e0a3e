"""A brand's watched handles: outlets, regulators and influencers whose tag in a comment is a
media or authority signal, with the handle as the evidence a person checks.

Kept on the brand row (``Brand.watchlist``, handle -> kind) because intake has the brand in hand
for every batch: the list costs no query. The classifier's seeds per market always count too
(``classifier.watchlists``); a brand's list adds the handles that matter to it.
"""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from brands.models import Brand
from classifier.watchlists import KINDS
from core.errors import DomainError

#: A handle as the platforms allow it: letters, digits, underscores and dots, at most 50.
_HANDLE = re.compile(r"^@[A-Za-z0-9_.]{1,50}$")
MAX_HANDLES = 500


def watchlist_parse(text: str) -> dict[str, str]:
    """One handle and its kind per line ("@ProfecoMX authority"); blank lines are skipped.

    DomainError names the first bad line, so the supervisor sees what to fix.
    """
    watchlist: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        handle = words[0] if words[0].startswith("@") else "@" + words[0]
        kind = words[1].lower() if len(words) > 1 else ""
        if len(words) != 2 or not _HANDLE.match(handle) or kind not in KINDS:
            raise DomainError(
                _("Line %(number)s: write a @handle and one of %(kinds)s.")
                % {"number": number, "kinds": ", ".join(KINDS)},
                field="watchlist",
            )
        watchlist[handle.lower()] = kind
    if len(watchlist) > MAX_HANDLES:
        raise DomainError(_("At most %(max)s handles.") % {"max": MAX_HANDLES}, field="watchlist")
    return watchlist


def watchlist_text(brand: Brand) -> str:
    """The brand's list as the page's text box shows it."""
    return "\n".join(f"{handle} {kind}" for handle, kind in sorted(brand.watchlist.items()))


@transaction.atomic
def watchlist_save(*, brand_id: int, text: str) -> Brand:
    """Replace the brand's list with the one written; the caller checked the person may."""
    watchlist = watchlist_parse(text)
    brand = Brand.objects.select_for_update().get(pk=brand_id)
    brand.watchlist = watchlist
    brand.save(update_fields=["watchlist"])
    return brand
