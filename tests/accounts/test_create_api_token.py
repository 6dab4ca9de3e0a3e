import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiToken, digest_token

pytestmark = pytest.mark.django_db


def _token(*args) -> str:
    out = io.StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_prints_the_token_alone_on_the_last_line_and_it_works(client, aurora):
    token = _token("listening-tool")
    stored = ApiToken.objects.get()
    assert stored.digest == digest_token(token)
    assert stored.brand == aurora  # the desk's only brand
    response = client.get("/api/v1/comments/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200


def test_a_second_token_for_the_same_client_reuses_the_user(aurora):
    _token("tool")
    _token("tool")
    assert ApiToken.objects.values("user").distinct().count() == 1
    assert ApiToken.objects.count() == 2


def test_with_several_brands_the_brand_must_be_named(aurora, rapimenu):
    with pytest.raises(CommandError, match="--brand"):
        _token("tool")
    _token("tool", "--brand", "rapimenu")
    assert ApiToken.objects.get().brand == rapimenu


def test_unknown_brand_fails_listing_the_known_ones(aurora):
    with pytest.raises(CommandError, match="known: aurora"):
        _token("tool", "--brand", "nope")


def test_a_relay_token_belongs_to_no_brand(aurora, rapimenu):
    _token("relay", "--relay")
    assert ApiToken.objects.get().brand is None


def test_blank_name_fails_with_a_message(aurora):
    with pytest.raises(CommandError, match="1 to 100"):
        _token("  ")
