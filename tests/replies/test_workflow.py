"""Replies: drafted by a person, tone-checked, approved where the policy says, and published
only by a person's action on an approved reply."""

import pytest
from django.urls import reverse
from django.utils import translation

from brands.roles import Role
from cases import raising, workflow
from cases.models import AuditEvent, Case
from comments import corrections
from core.errors import DomainError
from core.taxonomy import Category, Level
from outbound.models import Delivery, Endpoint, Purpose
from replies import templated
from replies import workflow as replies
from replies.models import Reply, ReplyStatus, Visibility
from tests.conftest import _person
from tests.factories import case_with_comment

pytestmark = pytest.mark.django_db
#: What the classifier gives "Voy a denunciar ante la PROFECO…": the authority rule reads it.
AUTHORITY_REASONS = [
    {"signal": replies.AUTHORITY_SIGNAL, "evidence": "denunciar"},
    {"signal": "health_safety", "evidence": "intoxique"},
]
GOOD_REPLY = (
    "Hola Ana, lamentamos mucho el doble cobro. Ya lo revisamos con facturacion y te "
    "escribimos en privado hoy mismo."
)
BAD_REPLY = "Como ya le dijimos, es su culpa por no leer las condiciones."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _case(aurora, alice, level, category=Category.PQR, **fields) -> Case:
    case = case_with_comment(
        brand=aurora,
        level=level,
        category=category,
        author__display_name="Ana",
        **fields,
    )
    return workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)


@pytest.fixture
def green_case(aurora, alice):
    return _case(aurora, alice, Level.GREEN)


@pytest.fixture
def yellow_case(aurora, alice):
    return _case(aurora, alice, Level.YELLOW)


@pytest.fixture
def publishing_tool(aurora):
    return Endpoint.objects.create(
        brand=aurora, purpose=Purpose.PUBLISHING, url="http://127.0.0.1:9/hook"
    )


def test_the_policy_asks_approval_for_yellow_and_red_and_for_any_named_authority(
    aurora, alice, sam, green_case, yellow_case
):
    assert replies.approval_required(green_case) is False
    assert replies.approval_required(yellow_case) is True
    red = _case(aurora, alice, Level.RED, Category.HIGH_LEVEL, comment__reasons=AUTHORITY_REASONS)
    assert replies.approval_required(red) is True
    # A person says the PROFECO claim is a plain green question: a supervisor still approves.
    comment = red.comments.get()
    corrections.classification_correct(
        comment_id=comment.pk, user=alice, category="pqr", level="green"
    )
    red.refresh_from_db()
    assert red.level == Level.RED, "a correction down never lowers the case by itself"
    red = raising.case_lower(case_id=red.pk, actor=sam, note="a plain question after all")
    assert (red.category, red.level) == ("pqr", "green")
    assert replies.approval_required(red) is True


def test_a_draft_starts_from_a_template_with_the_case_filled_in(green_case):
    protocol = green_case.brand and replies.protocols.protocol_for(
        brand=green_case.brand, category=green_case.category, level=green_case.level
    )
    template = protocol.templates.filter(language="es", private_handoff=False).first()
    text = templated.template_text(template, green_case, department="facturación")
    assert "Ana" in text
    assert f"#{green_case.pk}" in text
    assert "facturación" in text
    assert "{" not in text


def test_a_green_reply_is_ready_without_approval_and_waits_for_a_person(green_case, alice):
    reply = replies.reply_draft(case_id=green_case.pk, actor=alice, body=GOOD_REPLY)
    assert reply.tone_warnings == []
    reply = replies.reply_submit(reply_id=reply.pk, actor=alice)
    assert (reply.status, reply.needs_approval) == (ReplyStatus.APPROVED, False)
    assert reply.published_at is None
    reply = replies.reply_publish(reply_id=reply.pk, actor=alice, by_hand=True)
    assert (reply.status, reply.published_by) == (ReplyStatus.SENT_BY_HAND, alice)
    assert list(
        AuditEvent.objects.filter(case=green_case, action__startswith="reply_").values_list(
            "action", flat=True
        )
    ) == ["reply_drafted", "reply_submitted", "reply_published"]


def test_the_tone_check_warns_and_the_author_must_confirm_having_reread(green_case, alice):
    reply = replies.reply_draft(case_id=green_case.pk, actor=alice, body=BAD_REPLY)
    kinds = {w["kind"] for w in reply.tone_warnings}
    assert {"sarcasm", "blame", "missing_apology"} <= kinds
    with pytest.raises(DomainError, match="tone"):
        replies.reply_submit(reply_id=reply.pk, actor=alice)
    reply = replies.reply_draft(
        case_id=green_case.pk, actor=alice, body=GOOD_REPLY, reply_id=reply.pk
    )
    assert reply.tone_warnings == []
    assert replies.reply_submit(reply_id=reply.pk, actor=alice).status == ReplyStatus.APPROVED


def test_a_yellow_reply_is_approved_by_a_supervisor_and_published_through_the_tool(
    yellow_case, alice, sam, publishing_tool
):
    reply = replies.reply_draft(
        case_id=yellow_case.pk, actor=alice, body=GOOD_REPLY, visibility=Visibility.PUBLIC
    )
    reply = replies.reply_submit(reply_id=reply.pk, actor=alice)
    assert reply.status == ReplyStatus.PENDING_APPROVAL
    with pytest.raises(Reply.DoesNotExist):  # a community manager does not approve
        replies.reply_review(reply_id=reply.pk, actor=alice, approve=True)
    with pytest.raises(DomainError, match="what to change"):
        replies.reply_review(reply_id=reply.pk, actor=sam, approve=False)
    reply = replies.reply_review(
        reply_id=reply.pk, actor=sam, approve=False, note="mention the refund date"
    )
    assert reply.status == ReplyStatus.CHANGES_REQUESTED
    reply = replies.reply_draft(
        case_id=yellow_case.pk,
        actor=alice,
        reply_id=reply.pk,
        body=GOOD_REPLY + " El reembolso llega el lunes.",
    )
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    edited = GOOD_REPLY + " El reembolso llega el lunes 2."
    reply = replies.reply_review(reply_id=reply.pk, actor=sam, approve=True, body=edited)
    assert (reply.status, reply.body, reply.reviewed_by) == (ReplyStatus.APPROVED, edited, sam)
    assert not Delivery.objects.exists()  # approval alone sends nothing
    reply = replies.reply_publish(reply_id=reply.pk, actor=alice)
    assert reply.status == ReplyStatus.PUBLISHED
    delivery = Delivery.objects.get(pk=reply.delivery_id)
    assert delivery.endpoint == publishing_tool
    assert delivery.payload["text"] == edited
    assert delivery.payload["approved_by"] == "sam"


@pytest.mark.parametrize("status", [s for s in ReplyStatus if s != ReplyStatus.APPROVED])
@pytest.mark.parametrize("by_hand", [False, True])
def test_no_path_publishes_a_reply_that_is_not_approved(
    yellow_case, alice, sam, publishing_tool, status, by_hand
):
    reply = replies.reply_draft(case_id=yellow_case.pk, actor=alice, body=GOOD_REPLY)
    Reply.objects.filter(pk=reply.pk).update(status=status)
    for actor in (alice, sam):
        with pytest.raises(DomainError, match="approved"):
            replies.reply_publish(reply_id=reply.pk, actor=actor, by_hand=by_hand)
    reply.refresh_from_db()
    assert reply.status == status
    assert reply.published_at is None
    assert not Delivery.objects.exists()


def test_without_a_publishing_tool_the_person_sends_it_by_hand(green_case, alice):
    reply = replies.reply_draft(case_id=green_case.pk, actor=alice, body=GOOD_REPLY)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    with pytest.raises(DomainError, match="by hand"):
        replies.reply_publish(reply_id=reply.pk, actor=alice)
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.APPROVED


def test_replies_stay_inside_their_brand(yellow_case, alice, bruno, rapimenu):
    reply = replies.reply_draft(case_id=yellow_case.pk, actor=alice, body=GOOD_REPLY)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    rita = _person("rita", Role.SUPERVISOR, rapimenu)
    with pytest.raises(Reply.DoesNotExist):
        replies.reply_review(reply_id=reply.pk, actor=rita, approve=True)
    with pytest.raises(Case.DoesNotExist):
        replies.reply_draft(case_id=yellow_case.pk, actor=bruno, body="hola")


def test_the_approval_page_and_buttons(client, yellow_case, alice, sam):
    reply = replies.reply_draft(case_id=yellow_case.pk, actor=alice, body=GOOD_REPLY)
    client.force_login(alice)
    assert client.get(reverse("approvals")).status_code == 403
    client.post(reverse("reply-submit", args=[reply.pk]))
    client.force_login(sam)
    page = client.get(reverse("approvals"))
    assert list(page.context["replies"]) == [Reply.objects.get(pk=reply.pk)]
    client.post(
        reverse("reply-review", args=[reply.pk]), {"decision": "approve", "body": GOOD_REPLY}
    )
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.APPROVED
    assert list(client.get(reverse("approvals")).context["replies"]) == []


def test_the_case_page_composer_saves_a_draft_with_its_tone(client, green_case, alice):
    client.force_login(alice)
    page = client.get(reverse("case-detail", args=[green_case.pk]))
    template = page.context["reply_templates"][0]
    page = client.get(reverse("case-detail", args=[green_case.pk]), {"template": template.pk})
    assert "Ana" in page.context["draft_text"]
    client.post(reverse("reply-save", args=[green_case.pk]), {"body": BAD_REPLY})
    reply = Reply.objects.get(case=green_case)
    assert reply.author == alice
    html = client.get(reverse("case-detail", args=[green_case.pk])).content.decode()
    assert 'name="tone_reviewed"' in html


def test_the_approver_reads_the_warnings_in_words(client, yellow_case, alice, sam):
    reply = replies.reply_draft(case_id=yellow_case.pk, actor=alice, body=BAD_REPLY)
    replies.reply_submit(reply_id=reply.pk, actor=alice, tone_reviewed=True)
    client.force_login(sam)
    page = client.get(reverse("approvals"), headers={"Accept-Language": "en"}).content.decode()
    assert "Blames the customer" in page
    assert "missing_apology" not in page


def test_approvals_page_query_count_is_pinned(client, aurora, alice, sam, query_counts):
    """The approvals page lists replies waiting across cases in a fixed number of queries."""

    def grow(n: int) -> None:
        for i in range(n):
            case = _case(aurora, alice, Level.YELLOW)
            reply = replies.reply_draft(case_id=case.pk, actor=alice, body=f"{GOOD_REPLY} ({i})")
            replies.reply_submit(reply_id=reply.pk, actor=alice)

    url = reverse("approvals")
    client.force_login(sam)
    few, many = query_counts(lambda: client.get(url), grow)
    assert len(client.get(url).context["replies"]) == 6
    # session, user, 2 permission reads, 2 brand look-ups, the brand switcher, the waiting
    # replies with their case, customer, author and brand, and their versions with authors.
    assert (few, many) == (9, 9)
