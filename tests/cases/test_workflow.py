"""A case's life, by the right people only, each step with its audit event."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from brands.roles import Role
from cases import notes, workflow
from cases.models import AuditAction, AuditEvent, Case, CaseStatus, Outcome
from comments.models import Comment
from core.errors import DomainError
from core.taxonomy import Category, Level
from replies import workflow as replies
from tests.conftest import _person
from tests.factories import CLAIM_TEXT as CLAIM
from tests.factories import RED_TEXT, CaseFactory, CommentFactory, case_with_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Domain errors speak the person's language; these tests read them in English (pages
    still answer in Spanish, the desk's default, through the middleware)."""
    with translation.override("en"):
        yield


@pytest.fixture
def case(aurora) -> Case:
    return case_with_comment(
        brand=aurora, level=Level.GREEN, category=Category.PQR, comment__text=CLAIM
    )


@pytest.fixture
def alices_case(case, alice) -> Case:
    return workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)


def _actions(case: Case) -> list[str]:
    return list(AuditEvent.objects.filter(case=case).values_list("action", flat=True))


def test_a_case_lives_from_arrival_to_a_satisfied_close(alices_case, alice):
    pk = alices_case.pk
    for action in ("start", "wait_customer", "resume", "wait_department", "resume"):
        workflow.case_move(case_id=pk, actor=alice, action=action)
    case = workflow.case_move(
        case_id=pk, actor=alice, action="resolve", outcome=Outcome.SOLVED, note="refund issued"
    )
    assert (case.status, case.outcome) == (CaseStatus.RESOLVED, Outcome.SOLVED)
    assert case.resolved_at is not None
    case = workflow.case_move(case_id=pk, actor=alice, action="close", satisfied=True)
    assert (case.status, case.satisfied) == (CaseStatus.CLOSED, True)
    assert _actions(case) == [
        "case_opened",
        "case_assigned",
        "case_start",
        "case_wait_customer",
        "case_resume",
        "case_wait_department",
        "case_resume",
        "case_resolve",
        "case_close",
    ]
    resolve = AuditEvent.objects.get(case=case, action="case_resolve")
    assert resolve.actor == alice
    assert resolve.before == {"status": CaseStatus.IN_PROGRESS}
    assert resolve.after == {
        "status": CaseStatus.RESOLVED,
        "outcome": "solved",
        "note": "refund issued",
    }


def test_a_closed_case_reopens_with_a_reason_and_forgets_its_outcome(alices_case, alice):
    pk = alices_case.pk
    workflow.case_move(case_id=pk, actor=alice, action="start")
    resolved = workflow.case_move(
        case_id=pk,
        actor=alice,
        action="resolve",
        outcome=Outcome.INTERMEDIATE,
        intermediate_solution="Reembolso parcial",
    )
    assert resolved.intermediate_solution == "Reembolso parcial"
    workflow.case_move(
        case_id=pk, actor=alice, action="close", satisfied=False, note="wants the full fee back"
    )
    with pytest.raises(DomainError, match="why"):
        workflow.case_move(case_id=pk, actor=alice, action="reopen")
    case = workflow.case_move(case_id=pk, actor=alice, action="reopen", note="wrote again")
    assert (case.status, case.outcome, case.satisfied, case.closed_at) == (
        CaseStatus.IN_PROGRESS,
        "",
        None,
        None,
    )
    assert case.intermediate_solution == ""


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("start", CaseStatus.NEW),
        ("resolve", CaseStatus.ASSIGNED),
        ("close", CaseStatus.IN_PROGRESS),
        ("resume", CaseStatus.IN_PROGRESS),
        ("reopen", CaseStatus.IN_PROGRESS),
    ],
)
def test_a_move_from_the_wrong_status_is_refused_and_changes_nothing(case, sam, action, status):
    Case.objects.filter(pk=case.pk).update(status=status, assignee=sam)
    with pytest.raises(DomainError, match="cannot do that"):
        workflow.case_move(
            case_id=case.pk,
            actor=sam,
            action=action,
            outcome=Outcome.SOLVED,
            satisfied=True,
            note="x",
        )
    case.refresh_from_db()
    assert case.status == status
    assert _actions(case) == ["case_opened"]


def test_resolving_needs_an_outcome_and_closing_unsatisfied_needs_a_reason(alices_case, alice):
    pk = alices_case.pk
    workflow.case_move(case_id=pk, actor=alice, action="start")
    with pytest.raises(DomainError, match="how the case ends"):
        workflow.case_move(case_id=pk, actor=alice, action="resolve")
    workflow.case_move(
        case_id=pk,
        actor=alice,
        action="resolve",
        outcome=Outcome.INTERMEDIATE,
        intermediate_solution="Reposición del producto",
    )
    with pytest.raises(DomainError, match="satisfied"):
        workflow.case_move(case_id=pk, actor=alice, action="close")
    with pytest.raises(DomainError, match="why"):
        workflow.case_move(case_id=pk, actor=alice, action="close", satisfied=False)


def test_a_community_manager_cannot_work_someone_elses_case(alices_case, aurora):
    other = _person("olga", Role.COMMUNITY_MANAGER, aurora)
    with pytest.raises(DomainError, match="someone else"):
        workflow.case_move(case_id=alices_case.pk, actor=other, action="start")
    with pytest.raises(DomainError, match="supervisor"):
        workflow.case_assign(case_id=alices_case.pk, actor=other, assignee=other)


def test_a_supervisor_reassigns_and_may_act_on_any_case_of_the_brand(alices_case, sam, aurora):
    olga = _person("olga", Role.COMMUNITY_MANAGER, aurora)
    case = workflow.case_assign(case_id=alices_case.pk, actor=sam, assignee=olga)
    assert case.assignee == olga
    assert (
        workflow.case_move(case_id=case.pk, actor=sam, action="start").status
        == CaseStatus.IN_PROGRESS
    )


def test_cases_go_only_to_people_who_work_cases_at_that_brand(case, sam, carla, bruno):
    with pytest.raises(DomainError, match="does not work cases"):
        workflow.case_assign(case_id=case.pk, actor=sam, assignee=carla)
    with pytest.raises(DomainError, match="does not work cases"):
        workflow.case_assign(case_id=case.pk, actor=sam, assignee=bruno)


def test_another_brands_case_is_not_found(case, bruno):
    with pytest.raises(Case.DoesNotExist):
        workflow.case_move(case_id=case.pk, actor=bruno, action="start")
    with pytest.raises(Case.DoesNotExist):
        workflow.case_assign(case_id=case.pk, actor=bruno, assignee=bruno)


def test_the_committee_does_not_work_cases(case, carla):
    with pytest.raises(Case.DoesNotExist):
        workflow.case_assign(case_id=case.pk, actor=carla, assignee=carla)


def test_take_next_gives_the_most_urgent_unassigned_case_then_the_next(alice, aurora):
    cases = [
        CaseFactory(brand=aurora, level=level) for level in (Level.GREEN, Level.RED, Level.YELLOW)
    ]
    levels = {case.pk: case.level for case in cases}
    ids = frozenset({aurora.pk})
    taken = [workflow.case_take_next(actor=alice, brand_ids=ids) for _ in range(3)]
    assert [levels[case.pk] for case in taken] == ["red", "yellow", "green"]
    assert all(case.assignee == alice and case.status == CaseStatus.ASSIGNED for case in taken)
    assert workflow.case_take_next(actor=alice, brand_ids=ids) is None


def test_take_next_never_reaches_another_brand(bruno, aurora, rapimenu):
    CaseFactory(brand=aurora, level=Level.RED, category=Category.HIGH_LEVEL)
    assert workflow.case_take_next(actor=bruno, brand_ids=frozenset({aurora.pk})) is None
    assert workflow.case_take_next(actor=bruno, brand_ids=frozenset({rapimenu.pk})) is None


# --- pages ----------------------------------------------------------------------------------


def test_the_case_page_shows_the_comments_and_the_next_steps(client, alices_case, alice):
    client.force_login(alice)
    html = client.get(reverse("case-detail", args=[alices_case.pk])).content.decode()
    assert CLAIM[:40] in html
    assert reverse("case-action", args=[alices_case.pk, "start"]) in html


def test_working_a_case_through_the_page(client, alices_case, alice):
    client.force_login(alice)
    url = reverse("case-action", args=[alices_case.pk, "start"])
    assert client.post(url).status_code == 302
    response = client.post(reverse("case-action", args=[alices_case.pk, "resolve"]), follow=True)
    assert "Elige cómo termina el caso" in response.content.decode()
    alices_case.refresh_from_db()
    assert alices_case.status == CaseStatus.IN_PROGRESS


def test_take_next_through_the_page_opens_the_case(client, case, alice):
    client.force_login(alice)
    response = client.post(reverse("case-take-next"))
    assert response["Location"] == reverse("case-detail", args=[case.pk])


def test_case_pages_deny_the_wrong_people(client, case, bruno, carla, mallory):
    client.force_login(bruno)
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("case-action", args=[case.pk, "assign"])).status_code == 404
    client.force_login(carla)
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 200
    assert client.post(reverse("case-action", args=[case.pk, "assign"])).status_code == 403
    client.force_login(mallory)
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 302
    case.refresh_from_db()
    assert case.assignee is None


def test_the_case_list_says_what_the_customer_said_first(client, alice, aurora):
    first = "Me cobraron dos veces la mensualidad y nadie me responde"
    case = case_with_comment(
        brand=aurora,
        author__handle="@ana",
        comment__text=first,
        comment__posted_at=datetime(2026, 11, 23, 7, tzinfo=UTC),
    )
    CommentFactory(case=case, text=RED_TEXT, posted_at=datetime(2026, 11, 23, 10, tzinfo=UTC))
    client.force_login(alice)
    page = client.get(reverse("cases")).content.decode()
    [row] = [row for row in page.split("<tr") if "@ana" in row]
    assert first in row
    assert RED_TEXT not in row


def test_the_case_page_names_the_customer_once(client, alice, aurora):
    CaseFactory(brand=aurora, author__handle="@ana", with_comment=True)
    CaseFactory(
        brand=aurora, author__handle="@luis", author__display_name="Luis Pérez", with_comment=True
    )
    client.force_login(alice)
    for handle, named in (("@ana", "@ana</a> ·"), ("@luis", "Luis Pérez (@luis)</a> ·")):
        case = Comment.objects.get(author__handle=handle).case
        page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
        assert named in page
        assert "(@ana)" not in page


def test_case_page_query_count_is_pinned(client, alice, aurora, query_counts):
    """The case page reads its comments, replies and history in a fixed number of queries."""
    case = workflow.case_assign(
        case_id=case_with_comment(brand=aurora).pk, actor=alice, assignee=alice
    )

    def grow(n: int) -> None:
        for i in range(n):
            CommentFactory(case=case, text=f"Y otra cosa {i}")
            replies.reply_draft(case_id=case.pk, actor=alice, body=f"Hola, lo revisamos ({i}).")
            notes.case_note_add(case_id=case.pk, actor=alice, text=f"Llamó por teléfono ({i}).")
            AuditEvent.objects.create(
                case=case, actor=alice, action=AuditAction.CASE_ASSIGNED, after={"note": str(i)}
            )

    url = reverse("case-detail", args=[case.pk])
    client.force_login(alice)
    client.get(url)  # the brand's protocols are seeded on first use
    few, many = query_counts(lambda: client.get(url), grow)
    assert case.comments.count() == 7
    # session, user, 2 permission reads, 2 brand look-ups, the case, its comments, history and
    # follow-ups, the protocol (looked up once, and handed to approval_required and
    # handoff_templates), its templates and its handoff templates, the authority check, the brand
    # switcher, the replies and their versions, the department requests, the notes. The
    # customer's personal data comes with the case (its author's customer, selected with it).
    # The reply box's FAQ entries and the case's false-claim marks are one query each (the
    # suggestions read the comments already fetched). The protocol's steps (with their
    # departments), its intermediate solutions and the steps done on the case, one each.
    assert (few, many) == (23, 23)
