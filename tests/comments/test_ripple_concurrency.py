"""Ripples found however the load is split (issue 20, part 7): the comments of one ripple posted
in separate concurrent requests, as several web processes receive them, form one ripple.

Real HTTP requests to the live server, each handled on a thread of its own with its own database
connection. A barrier holds every request at the door of ripple detection until all of them
have classified their comments and none has committed: the worst interleaving, where each
request would see only what is committed, which is none of the others.
"""

import http.client
import json
import threading
from urllib.parse import urlsplit

import pytest

from comments import ripples
from comments.models import Comment, Ripple
from core.taxonomy import Level
from crisis import escalation
from crisis.models import Crisis, Escalation
from tests.comments.test_ripple_intake import DOUBLE_CHARGE, _items

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def detection_together(monkeypatch):
    """Make the next ``parties`` requests reach ripple detection at the same moment."""

    def arm(parties: int) -> None:
        barrier = threading.Barrier(parties, timeout=30)
        detect = ripples.ripples_detect

        def detect_together(**kwargs):
            barrier.wait()
            return detect(**kwargs)

        monkeypatch.setattr(ripples, "ripples_detect", detect_together)

    return arm


def _post_at_once(live_server, token: str, bodies: list[list[dict]]) -> list[tuple[int, dict]]:
    """POST each body on its own connection, all at once; (status, answer) in order."""
    address = urlsplit(live_server.url)
    answers: list[tuple[int, dict] | BaseException | None] = [None] * len(bodies)

    def post(n: int) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        try:
            connection.request(
                "POST",
                "/api/v1/comments/",
                body=json.dumps(bodies[n]),
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            response = connection.getresponse()
            answers[n] = (response.status, json.loads(response.read() or b"{}"))
        except BaseException as error:  # noqa: BLE001 (reported to the test)
            answers[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    for answer in answers:
        if not isinstance(answer, tuple):
            raise AssertionError(f"a request failed: {answer!r}")
    return answers  # type: ignore[return-value]


def _assert_one_ripple_of_twelve_and_one_crisis(answers) -> None:
    assert [status for status, _ in answers] == [201] * len(answers), answers
    ids = [result["id"] for _, answer in answers for result in answer["results"]]
    assert len(ids) == 12
    assert Ripple.objects.count() == 1, list(Ripple.objects.values("size", "authors"))
    ripple = Ripple.objects.get()
    members = Comment.objects.filter(pk__in=ids)
    assert {c.ripple_id for c in members} == {ripple.pk}
    assert {c.level for c in members} == {Level.RED}
    assert (ripple.size, ripple.authors) == (12, 12)

    # The crisis worker's handling of each red, in posting order.
    reds = Escalation.objects.filter(comment__in=members).order_by("comment__posted_at", "pk")
    assert reds.count() == 12
    for row in reds:
        escalation.escalation_notify(escalation_id=row.pk)
    crisis = Crisis.objects.get()
    assert crisis.ripple_id == ripple.pk
    assert crisis.escalations_count == 12


def test_twelve_single_posts_at_once_form_one_ripple_and_one_crisis(
    live_server, listener_token, carla, detection_together
):
    items = _items(DOUBLE_CHARGE)
    detection_together(len(items))
    answers = _post_at_once(live_server, listener_token, [[item] for item in items])
    _assert_one_ripple_of_twelve_and_one_crisis(answers)


def test_two_batches_of_six_at_once_form_one_ripple_and_one_crisis(
    live_server, listener_token, carla, detection_together
):
    items = _items(DOUBLE_CHARGE)
    detection_together(2)
    answers = _post_at_once(live_server, listener_token, [items[:6], items[6:]])
    _assert_one_ripple_of_twelve_and_one_crisis(answers)
