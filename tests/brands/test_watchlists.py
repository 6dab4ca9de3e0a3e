"""A brand's watched handles: tagging one is a media or authority signal at that brand only."""

import pytest
from django.urls import reverse

from brands import watchlists
from comments import intake
from core.errors import DomainError
from tests.factories import comment_item

pytestmark = pytest.mark.django_db

# Not in any market's seed: only the brand's own list can make it count.
OUTLET = "@ElVigiaDeAurora"
TAGGED = f"{OUTLET} miren lo que hace el banco con mi cuenta, me cobraron de mas"


def _signals(result) -> dict[str, str]:
    return {reason["signal"]: reason["evidence"] for reason in result.reasons}


def test_tagging_a_watched_outlet_is_a_media_signal_with_the_handle_as_evidence(
    aurora, rapimenu, ingest
):
    [before] = ingest([comment_item(text=TAGGED)])
    assert "media_mention" not in _signals(before)

    watchlists.watchlist_save(brand_id=aurora.pk, text=f"{OUTLET} media")

    [after] = ingest([comment_item(text=TAGGED)])
    assert _signals(after)["media_mention"].lower() == OUTLET.lower()
    # Another brand's customers tagging it are no media call at that brand.
    [elsewhere] = intake.ingest([comment_item(text=TAGGED)], brand_id=rapimenu.pk)
    assert "media_mention" not in _signals(elsewhere)


def test_a_bad_line_is_refused_with_its_number_and_nothing_is_saved(aurora):
    watchlists.watchlist_save(brand_id=aurora.pk, text="@Fiscalia authority")
    with pytest.raises(DomainError, match="Line 2"):
        watchlists.watchlist_save(
            brand_id=aurora.pk, text="@ElVigia media\n@otro periodista\n@x media"
        )
    aurora.refresh_from_db()
    assert aurora.watchlist == {"@fiscalia": "authority"}


def test_a_supervisor_edits_the_list_on_a_page_and_a_community_manager_may_not(
    client, aurora, sam, alice
):
    client.force_login(sam)
    url = reverse("watchlist")
    response = client.post(url, {"watchlist": f"{OUTLET} media\n\n@ProfecoMX Authority"})
    assert response.status_code == 302
    aurora.refresh_from_db()
    assert aurora.watchlist == {OUTLET.lower(): "media", "@profecomx": "authority"}
    assert "@profecomx authority" in client.get(url).content.decode()

    refused = client.post(url, {"watchlist": "no handle here at all"})
    assert refused.status_code == 400
    assert 'id="watchlist-error"' in refused.content.decode()

    client.force_login(alice)
    assert client.get(url).status_code == 403
