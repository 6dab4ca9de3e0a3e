"""Password guessing is stopped on both sign-in pages: after a few wrong passwords for one
username from one address, even the right password waits out the cool-off."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-right-password"


@pytest.fixture
def nina():
    return get_user_model().objects.create_user("nina", password=PASSWORD)


@pytest.fixture
def root():
    return get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)


def _guess(client, url, username, password="wrong", address="203.0.113.7"):  # noqa: S107
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_desk_sign_in_locks_a_username_after_repeated_wrong_passwords(client, nina):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _guess(client, url, "nina").status_code == 200  # the form, with its error

    locked = _guess(client, url, "nina")
    right_password_too = _guess(client, url, "nina", password=PASSWORD)

    assert locked.status_code == 429
    assert right_password_too.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "15" in right_password_too.content.decode()  # the minutes to wait, in words


def test_the_lock_holds_one_username_from_one_address_only(client, nina):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _guess(client, url, "someone-else")

    from_elsewhere = _guess(client, url, "someone-else", password=PASSWORD, address="198.51.100.2")
    nina_meanwhile = _guess(client, url, "nina", password=PASSWORD)

    assert from_elsewhere.status_code == 200  # wrong user, but not locked: the form again
    assert nina_meanwhile.status_code == 302
    assert client.session["_auth_user_id"] == str(nina.pk)


def test_a_success_clears_the_failures_before_it(client, nina):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _guess(client, url, "nina")
    assert _guess(client, url, "nina", password=PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _guess(client, url, "nina")

    assert _guess(client, url, "nina", password=PASSWORD).status_code == 302


def test_the_admin_sign_in_is_throttled_too(client, root):
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _guess(client, url, "root")

    assert _guess(client, url, "root", password=PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
