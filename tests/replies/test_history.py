"""A reply keeps its history: every draft, edit, approver's change and send-back is a version,
and the supervisor reads the changes as a diff."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases import workflow
from core.taxonomy import Category, Level
from replies import history
from replies import workflow as replies
from replies.models import ReplyStatus, ReplyVersion, VersionReason
from tests.factories import case_with_comment

pytestmark = pytest.mark.django_db

DRAFT = "Hola Ana, lamentamos el doble cobro. Ya lo revisamos y te escribimos hoy."
EDIT = "Hola Ana, lamentamos el doble cobro. Ya emitimos el reembolso: lo verás el lunes."
APPROVED = (
    "Hola Ana, lamentamos el doble cobro de $120. Ya emitimos el reembolso: lo verás el lunes."
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(aurora, alice):
    case = case_with_comment(
        brand=aurora, level=Level.YELLOW, category=Category.PQR, author__display_name="Ana"
    )
    return workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)


def _history(reply) -> list[tuple[int, str, str, str, str]]:
    return [
        (v.number, v.reason, v.author.username, v.body, v.note)
        for v in ReplyVersion.objects.filter(reply=reply).select_related("author")
    ]


def test_every_draft_edit_send_back_and_approver_change_is_a_version(case, alice, sam):
    reply = replies.reply_draft(case_id=case.pk, actor=alice, body=DRAFT)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    replies.reply_review(reply_id=reply.pk, actor=sam, approve=False, note="say when")
    replies.reply_draft(case_id=case.pk, actor=alice, body=EDIT, reply_id=reply.pk)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    reply = replies.reply_review(reply_id=reply.pk, actor=sam, approve=True, body=APPROVED)
    assert (reply.status, reply.body) == (ReplyStatus.APPROVED, APPROVED)
    assert _history(reply) == [
        (1, VersionReason.DRAFTED, "alice", DRAFT, ""),
        (2, VersionReason.SENT_BACK, "sam", DRAFT, "say when"),
        (3, VersionReason.EDITED, "alice", EDIT, ""),
        (4, VersionReason.APPROVER_CHANGED, "sam", APPROVED, ""),
    ]


def test_an_approval_without_a_change_and_a_save_without_one_write_no_version(case, alice, sam):
    reply = replies.reply_draft(case_id=case.pk, actor=alice, body=DRAFT)
    replies.reply_draft(case_id=case.pk, actor=alice, body=f"  {DRAFT}\n", reply_id=reply.pk)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    replies.reply_review(reply_id=reply.pk, actor=sam, approve=True, body=DRAFT)
    assert [number for number, *_ in _history(reply)] == [1]


def test_the_approver_sending_back_their_own_wording_keeps_the_authors_draft(case, alice, sam):
    reply = replies.reply_draft(case_id=case.pk, actor=alice, body=DRAFT)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    reply = replies.reply_review(
        reply_id=reply.pk, actor=sam, approve=False, note="like this", body=EDIT
    )
    assert reply.body == EDIT
    assert _history(reply)[0][3] == DRAFT
    assert _history(reply)[1] == (2, VersionReason.SENT_BACK, "sam", EDIT, "like this")


def test_an_approvers_change_is_tone_checked_again(case, alice, sam):
    reply = replies.reply_draft(case_id=case.pk, actor=alice, body=DRAFT)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    reply = replies.reply_review(
        reply_id=reply.pk,
        actor=sam,
        approve=True,
        body="Ana, es su culpa por no leer. Te escribimos hoy.",
    )
    assert "blame" in {w["kind"] for w in reply.tone_warnings}


def test_the_diff_marks_words_not_lines_and_escapes_what_it_shows():
    html = history.diff_html("Te escribimos hoy <b>Ana</b>.", "Te llamamos hoy <b>Ana</b>.")
    assert html == "Te <del>escribimos </del><ins>llamamos </ins>hoy &lt;b&gt;Ana&lt;/b&gt;."
    assert history.diff_html("igual", "igual") == "igual"
    assert history.diff_html("", "nuevo") == "<ins>nuevo</ins>"


def test_the_supervisor_sees_the_diff_on_the_approval_page(client, case, alice, sam):
    reply = replies.reply_draft(case_id=case.pk, actor=alice, body=DRAFT)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    replies.reply_review(reply_id=reply.pk, actor=sam, approve=False, note="say <when>")
    replies.reply_draft(case_id=case.pk, actor=alice, body=EDIT, reply_id=reply.pk)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    client.force_login(sam)
    page = client.get(reverse("approvals"), headers={"Accept-Language": "en"}).content.decode()
    assert (
        "Ya <ins>emitimos el reembolso: </ins>lo <del>revisamos y te escribimos hoy.</del>" in page
    )
    assert "<ins>verás el lunes.</ins>" in page
    assert "History: 3 versions" in page
    assert "say &lt;when&gt;" in page


def test_the_case_page_shows_the_approvers_change(client, case, alice, sam):
    reply = replies.reply_draft(case_id=case.pk, actor=alice, body=EDIT)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    replies.reply_review(reply_id=reply.pk, actor=sam, approve=True, body=APPROVED)
    client.force_login(alice)
    page = client.get(
        reverse("case-detail", args=[case.pk]), headers={"Accept-Language": "en"}
    ).content.decode()
    assert "<del>cobro. </del><ins>cobro de $120. </ins>" in page
    assert "Changed by the approver" in page


def test_the_author_edits_a_draft_in_place_from_the_case_page(client, case, alice):
    client.force_login(alice)
    save = reverse("reply-save", args=[case.pk])
    client.post(save, {"body": DRAFT, "visibility": "public"})
    [reply] = case.replies.all()
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert f'name="reply" value="{reply.pk}"' in page

    client.post(save, {"body": EDIT, "visibility": "public", "reply": reply.pk})

    assert case.replies.count() == 1, "the edit changes the draft, it does not start another"
    assert [v[1] for v in _history(reply)] == [VersionReason.DRAFTED, VersionReason.EDITED]
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "<ins>" in page
