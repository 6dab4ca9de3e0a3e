"""Who may open what, for every URL the desk serves: the routes come from the URLconf itself, so
a new view joins the matrix the day it is written, and one without a check fails it.

Three rules hold everywhere: nobody signed out reaches anything but the public pages; a person
of another brand reaches none of this brand's objects, to read or to act; nothing answers 500.
Then each page's readers by role are the table below, which a new page must join.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from brands.grants import grant_role
from brands.models import Membership
from brands.roles import Role
from cases import workflow
from cases.departments import department_create, department_request
from comments.importing import rejects_name
from comments.models import Author, ClassifierVersion, ImportJob
from crisis import postmortem
from crisis.models import Crisis, Statement
from replies import facts, faq, protocols
from replies.models import Reply
from tests.conftest import PASSWORD
from tests.factories import case_with_comment

pytestmark = pytest.mark.django_db

# Anyone may open these: they hold nothing of a brand.
PUBLIC = {"healthz", "login", "logout", "set_language", "api-schema", "api-docs"}
# A bearer link is its own check: a made-up token must reach nothing.
SIGNED_LINKS = {"crisis-ack", "crisis-chat-ack", "department-answer", "satisfaction"}

CM, SUPERVISOR, COMMITTEE = "community_manager", "supervisor", "committee"
EVERYONE = frozenset({CM, SUPERVISOR, COMMITTEE})
CASE_WORKERS = frozenset({CM, SUPERVISOR})
ROOM = frozenset({SUPERVISOR, COMMITTEE})
ONLY_SUPERVISORS = frozenset({SUPERVISOR})
NO_PERSON = frozenset()  # REST clients' endpoints: a person's session reaches none

# The pages: who of the brand may GET each.
READERS: dict[str, frozenset[str]] = {
    "queue": EVERYONE,
    "queue-rows": EVERYONE,
    "monitor": EVERYONE,
    "comment-detail": EVERYONE,
    "cases": EVERYONE,
    "case-detail": EVERYONE,
    "customer": EVERYONE,
    "case-faq-search": CASE_WORKERS,
    "approvals": ONLY_SUPERVISORS,
    "protocols": ONLY_SUPERVISORS,
    "protocol-edit": ONLY_SUPERVISORS,
    "faq": ONLY_SUPERVISORS,
    "faq-edit": ONLY_SUPERVISORS,
    "facts": ONLY_SUPERVISORS,
    "fact-edit": ONLY_SUPERVISORS,
    "departments": ONLY_SUPERVISORS,
    "team": ONLY_SUPERVISORS,
    "watchlist": ONLY_SUPERVISORS,
    "classifier-figures": ONLY_SUPERVISORS,
    "classifier-brand": ONLY_SUPERVISORS,
    "delivery-errors": ONLY_SUPERVISORS,
    "imports": ONLY_SUPERVISORS,
    "import-detail": ONLY_SUPERVISORS,
    "import-progress": ONLY_SUPERVISORS,
    "import-rejects": ONLY_SUPERVISORS,
    "crisis-list": ROOM,
    "crisis-room": ROOM,
    "crisis-spread": ROOM,
    "crisis-postmortem": ROOM,
    "crisis-postmortem-export": ROOM,
    "reports-overview": ROOM,
    "reports-top-complaints": ROOM,
    "reports-export-comments": ROOM,
    "reports-export-cases": ROOM,
    "reports-audit": ONLY_SUPERVISORS,
    "reports-export-audit": ONLY_SUPERVISORS,
    "api-comments": EVERYONE,
    "api-comment-detail": EVERYONE,
    "api-crises": ROOM,
    "api-crisis-detail": ROOM,
    "api-reports-overview": ROOM,
    "api-reports-top-complaints": ROOM,
}
# Pages whose POST is their own form; every other page refuses POST (405).
FORMS = {
    "imports",
    "protocol-edit",
    "faq",
    "faq-edit",
    "facts",
    "fact-edit",
    "departments",
    "watchlist",
    "crisis-postmortem",
}
# The actions (POST only): who of the brand may take each.
ACTORS: dict[str, frozenset[str]] = {
    "brand-switch": EVERYONE,
    "duty-set": EVERYONE,
    **dict.fromkeys(
        [
            "comment-correct",
            "comment-answer",
            "case-handoff",
            "reply-save",
            "case-public-closing",
            "case-false-claim",
            "case-step",
            "reply-submit",
            "reply-publish",
            "case-take-next",
            "case-personal-data",
            "case-note",
            "customer-link",
            "customer-unlink",
            "case-answer",
            "case-route",
            "department-request-answer",
            "case-action",
        ],
        CASE_WORKERS,
    ),
    **dict.fromkeys(
        [
            "author-troll",
            "reply-review",
            "faq-reviewed",
            "faq-delete",
            "team-member-add",
            "team-member-role",
            "team-member-remove",
            "classifier-retrain",
            "classifier-shipped",
            "classifier-activate",
            "reports-subject-name",
            "reports-subjects-merge",
            "reports-subject-split",
        ],
        ONLY_SUPERVISORS,
    ),
    **dict.fromkeys(
        [
            "crisis-move",
            "crisis-acknowledge",
            "crisis-decision",
            "statement-save",
            "statement-approve",
            "statement-publish",
            "api-crisis-acknowledge",
        ],
        ROOM,
    ),
    **dict.fromkeys(
        [
            "api-comment-metrics",
            "api-comment-metrics-one",
            "api-youtube-comment-threads",
            "api-tiktok-comments",
            "webhook-meta",
        ],
        NO_PERSON,
    ),
}


@dataclass(frozen=True)
class Route:
    name: str
    template: str  # "cases/<int:pk>/notes/"
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.template.startswith("api/")


def _routes(resolver: URLResolver = None, prefix: str = "") -> list[Route]:
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        template = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if template.startswith("admin/"):
                continue  # the admin has its own test below
            found += _routes(entry, template)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append(Route(entry.name, template, tuple(entry.pattern.converters)))
    return found


ROUTES = _routes()


class Brand:
    """One of everything a route can name, at Banco Aurora."""

    def __init__(self, aurora, people):
        alice = people[CM]
        self.case = case_with_comment(brand=aurora)
        self.comment = self.case.comments.first()
        self.author = self.case.author
        self.other_author = Author.objects.create(brand=aurora, platform="twitter", handle="@two")
        self.crisis = Crisis.objects.create(
            brand=aurora,
            subject="Onda",
            first_comment_at=timezone.now(),
            last_escalation_at=timezone.now(),
        )
        postmortem.postmortem_open(crisis=self.crisis)
        self.statement = Statement.objects.create(crisis=self.crisis, body="…", drafted_by=alice)
        self.reply = Reply.objects.create(case=self.case, brand=aurora, author=alice, body="Hola")
        self.protocol = protocols.protocol_for(brand=aurora, category="pqr", level="yellow")
        self.step = (
            protocols.protocol_for(brand=aurora, category=self.case.category, level=self.case.level)
            .step_rows.order_by("position")
            .first()
        )
        # The team routes act on a person of their own, so that no route removes a role
        # that a later one is checked with.
        extra = get_user_model().objects.create_user("extra", password=PASSWORD)
        grant_role(extra, Role.COMMUNITY_MANAGER, brand=aurora)
        self.membership = Membership.objects.get(user=extra, brand=aurora)
        self.version = ClassifierVersion.objects.create(brand=aurora)
        self.import_job = ImportJob.objects.create(
            brand=aurora,
            source=ImportJob.Source.UPLOAD,
            name="octubre.csv",
            format="csv",
            rejected=1,
        )
        default_storage.save(rejects_name(self.import_job), ContentFile(b'{"line": 2}\n'))
        supervisor = people[SUPERVISOR]
        department = department_create(
            brand_id=aurora.pk, actor=supervisor, name="Pagos", email="p@example.com"
        )
        waiting = case_with_comment(brand=aurora)
        workflow.case_assign(case_id=waiting.pk, actor=supervisor, assignee=supervisor)
        workflow.case_move(case_id=waiting.pk, actor=supervisor, action="start")
        self.request = department_request(
            case_id=waiting.pk,
            actor=supervisor,
            department_id=department.pk,
            need="Reembolso",
            details="Cobro doble",
        )
        self.faq = faq.faq_save(
            actor=supervisor,
            brand_id=aurora.pk,
            edit=faq.FaqEdit(
                language="es",
                question="¿Horario?",
                answer="De 9 a 18",
                tags=[],
                owner_id=supervisor.pk,
            ),
        )
        self.fact = facts.fact_save(
            actor=supervisor,
            brand_id=aurora.pk,
            edit=facts.FactEdit(
                statement="No hubo filtración",
                source="https://aurora.example/aviso",
                valid_until=timezone.localdate() + timedelta(days=30),
                tags=[],
            ),
        )
        self.brand = aurora

    # What a ``pk`` names, by the path it sits in (the longest prefix wins).
    def by_prefix(self) -> dict[str, object]:
        return {
            "api/v1/comments/": self.comment,
            "api/v1/crises/": self.crisis,
            "team/members/": self.membership,
            "classifier/versions/": self.version,
            "imports/": self.import_job,
            "crises/statements/": self.statement,
            "crises/": self.crisis,
            "comments/": self.comment,
            "authors/": self.author,
            "cases/": self.case,
            "replies/": self.reply,
            "protocols/": self.protocol,
            "faq/": self.faq,
            "facts/": self.fact,
            "department-requests/": self.request,
        }

    def kwargs_for(self, route: Route) -> dict[str, object]:
        named = {
            "brand_id": self.brand.pk,
            "author_id": self.author.pk,
            "other_id": self.other_author.pk,
            "comment_pk": self.comment.pk,
            "action": "take",
            "token": "not-a-real-token",
            "platform": self.comment.platform,
            "external_id": self.comment.external_id,
            "step_id": self.step.pk,
        }
        kwargs = {}
        for name in route.kwargs:
            if name == "pk":
                prefixes = sorted(self.by_prefix().items(), key=lambda item: -len(item[0]))
                owner = next((obj for p, obj in prefixes if route.template.startswith(p)), None)
                assert owner is not None, f"the matrix names no object for {route.template}"
                kwargs[name] = owner.pk
            else:
                assert name in named, f"the matrix has no sample {name!r} for {route.template}"
                kwargs[name] = named[name]
        return kwargs


@pytest.fixture
def people(aurora, rapimenu):
    made = {}
    for key, role, brand in [
        (CM, Role.COMMUNITY_MANAGER, aurora),
        (SUPERVISOR, Role.SUPERVISOR, aurora),
        (COMMITTEE, Role.CRISIS_COMMITTEE, aurora),
        ("outsider", Role.SUPERVISOR, rapimenu),
    ]:
        made[key] = get_user_model().objects.create_user(key, password=PASSWORD)
        grant_role(made[key], role, brand=brand)
    made["nobody"] = get_user_model().objects.create_user("nobody", password=PASSWORD)
    return made


@pytest.fixture
def objects(aurora, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Brand(aurora, people)


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def _url(route: Route, objects: Brand) -> str:
    return reverse(route.name, kwargs=objects.kwargs_for(route))


def _refused_sign_in(route: Route, response) -> bool:
    if route.is_api or route.name == "webhook-meta":
        return response.status_code in (401, 403)
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _signed_in(people) -> dict[str, APIClient]:
    return {role: _client(people[role]) for role in sorted(EVERYONE)}


def test_every_route_is_in_the_matrix(objects, people):
    """A new route fails here until the table says who may use it, and a page (a route that
    answers GET) must be among the pages."""
    names = {route.name for route in ROUTES}
    classified = PUBLIC | SIGNED_LINKS | set(READERS) | set(ACTORS)
    assert sorted(names - classified) == [], "add these routes to READERS or ACTORS"
    assert sorted(classified - names) == [], "the tables name routes that no longer exist"
    answered = [
        (route.name, role)
        for role, client in _signed_in(people).items()
        for route in ROUTES
        if route.name in ACTORS and client.get(_url(route, objects)).status_code == 200
    ]
    assert answered == [], "an action answers GET: it is a page, put it in READERS"


@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_out_nobody_reaches_anything_but_the_public_pages(objects, method):
    anonymous = _client()
    reached = []
    for route in ROUTES:
        if route.name in PUBLIC | SIGNED_LINKS:
            continue
        response = getattr(anonymous, method)(_url(route, objects))
        if not (_refused_sign_in(route, response) or response.status_code == 405):
            reached.append((route.name, response.status_code))
    assert reached == []


@pytest.mark.parametrize("who", [None, SUPERVISOR])
def test_made_up_bearer_links_reach_nothing(objects, people, who):
    """A link's token is its own check, signed in or not: a made-up one acts on nothing."""
    client = _client(people[who] if who else None)
    for route in ROUTES:
        if route.name not in SIGNED_LINKS:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(_url(route, objects))
            if response.status_code == 302:  # a personal link asks its reader to sign in
                assert who is None, route.name
                assert response["Location"].startswith(reverse("login"))
            else:
                assert response.status_code in (400, 403, 404, 405, 410), (route.name, method)


def test_an_unsigned_platform_webhook_is_refused(client):
    assert (
        client.post(reverse("webhook-meta"), {}, content_type="application/json").status_code == 403
    )
    refused = client.get(
        reverse("webhook-meta"), {"hub.mode": "subscribe", "hub.verify_token": "x"}
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("who", ["outsider", "nobody"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_one_outside_the_brand_reaches_its_objects(objects, people, who, method):
    stranger = _client(people[who])
    reached = []
    for route in ROUTES:
        if not route.kwargs or route.name in PUBLIC | SIGNED_LINKS:
            continue
        response = getattr(stranger, method)(_url(route, objects))
        if response.status_code not in (403, 404, 405):
            reached.append((route.name, response.status_code))
    assert reached == []


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_reads_the_pages_of_its_brand_that_are_its_own(objects, people, role):
    person = _client(people[role])
    observed = {}
    for route in ROUTES:
        if route.name in READERS:
            observed[route.name] = person.get(_url(route, objects)).status_code == 200
    assert observed == {name: role in readers for name, readers in READERS.items()}


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_a_page_that_is_no_form_refuses_post(objects, people, role):
    """A read-only page once answered a POST with the page itself."""
    person = _client(people[role])
    accepted = []
    for route in ROUTES:
        if route.name in FORMS or route.is_api or role not in READERS.get(route.name, ()):
            continue
        status = person.post(_url(route, objects)).status_code
        if status != 405:
            accepted.append((route.name, status))
    assert accepted == []


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_takes_only_its_own_actions(objects, people, role):
    """A role that may not act is refused (403, or 404 for what it may not see) before anything
    is read from the form; one that may is never refused, whatever the form holds."""
    person = _client(people[role])
    wrong = []
    for route in ROUTES:
        if route.name not in ACTORS:
            continue
        # The brand a form names is its context; the rest of the form stays empty.
        status = person.post(_url(route, objects), {"brand": objects.brand.pk}).status_code
        refused = status in (403, 404)
        if refused == (role in ACTORS[route.name]):
            wrong.append((route.name, status))
    assert wrong == []


def test_the_admin_is_for_superusers_only(objects, people):
    supervisor = _client(people[SUPERVISOR])
    people[SUPERVISOR].is_staff = True
    people[SUPERVISOR].save(update_fields=["is_staff"])
    root = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    pages = [reverse("admin:index"), reverse("admin:cases_case_changelist")]
    pages.append(reverse("admin:comments_comment_change", args=[objects.comment.pk]))

    for page in pages:
        refused = supervisor.get(page)
        assert refused.status_code == 302
        assert refused["Location"].startswith(reverse("admin:login"))
        assert _client(root).get(page).status_code == 200
