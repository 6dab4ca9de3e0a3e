"""The audit log is append-only in the database, outlives what it names, knows each event's
brand, and records what the admin changes: a brand's settings, committee seats, endpoints and
tokens."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.urls import reverse

from brands.models import Brand
from cases import workflow
from cases.audit import audit_erasure
from cases.models import AuditAction, AuditEvent, Case
from crisis.models import CommitteeMember, CommitteeRole
from outbound.models import Endpoint
from tests.factories import case_with_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(aurora, sam):
    case = case_with_comment(brand=aurora)
    workflow.case_assign(case_id=case.pk, actor=sam, assignee=sam)
    return case


@pytest.fixture
def root(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(user)
    return user


def _refused(change) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        change()
    return str(refused.value)


def test_the_database_refuses_to_change_or_delete_an_audit_row(assigned):
    events = AuditEvent.objects.filter(case=assigned)
    assert events.exists()

    assert "append-only" in _refused(lambda: events.update(action="case_close"))
    assert "append-only" in _refused(lambda: events.delete())
    assert not events.filter(action="case_close").exists()


def test_saving_an_event_twice_is_refused_before_the_database(assigned):
    event = AuditEvent.objects.filter(case=assigned).first()
    event.action = AuditAction.CASE_CLOSE
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_erasure_is_the_one_way_to_change_an_audit_row_and_only_inside_it(assigned):
    events = AuditEvent.objects.filter(case=assigned)
    with audit_erasure():
        events.update(after={"erased": True})
    assert all(event.after == {"erased": True} for event in events)
    assert "append-only" in _refused(lambda: events.update(after={}))


def test_deleting_a_case_and_its_handler_keeps_their_history_readable(assigned, aurora, sam):
    pks = set(AuditEvent.objects.filter(case=assigned).values_list("pk", flat=True))
    Case.objects.filter(pk=assigned.pk).delete()
    sam.delete()

    kept = AuditEvent.objects.filter(pk__in=pks)
    assert set(kept.values_list("pk", flat=True)) == pks
    assigned_event = kept.get(action=AuditAction.CASE_ASSIGNED)
    assert assigned_event.case_id == assigned.pk  # the number stays, as a snapshot
    assert (assigned_event.brand_id, assigned_event.actor_name) == (aurora.pk, "sam")


def test_each_event_knows_its_brand_also_when_it_names_no_case(aurora, sam, client):
    from brands import team

    member = team.member_add(
        actor=sam,
        brand=aurora,
        username="nuevo",
        email="nuevo@aurora.example",
        role="community_manager",
        password="una-clave-larga-y-rara-42",
    )
    event = AuditEvent.objects.get(action="member_added")
    assert event.brand_id == aurora.pk == member.brand_id


def test_a_brand_setting_changed_in_the_admin_is_audited_with_before_and_after(
    client, root, aurora
):
    url = reverse("admin:brands_brand_change", args=[aurora.pk])
    data = _form_data(client.get(url))
    data["reach_followers"] = "777"
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)

    event = AuditEvent.objects.get(action="brand_changed")
    assert (event.brand_id, event.actor_name) == (aurora.pk, "root")
    assert event.before["reach_followers"] == aurora.reach_followers != 777
    assert event.after["reach_followers"] == 777
    assert Brand.objects.get(pk=aurora.pk).reach_followers == 777


def test_a_committee_seat_and_an_endpoint_added_in_the_admin_are_audited_without_secrets(
    client, root, aurora, carla
):
    membership = carla.memberships.get(brand=aurora)
    seat = reverse("admin:crisis_committeemember_add")
    data = _form_data(client.get(seat))
    data |= {"membership": str(membership.pk), "committee_role": CommitteeRole.values[0]}
    response = client.post(seat, data)
    assert response.status_code == 302, _errors(response)
    endpoint = reverse("admin:outbound_endpoint_add")
    data = _form_data(client.get(endpoint))
    data |= {
        "brand": str(aurora.pk),
        "purpose": "publishing",
        "url": "https://hooks.aurora.example/semaforo",
    }
    response = client.post(endpoint, data)
    assert response.status_code == 302, _errors(response)

    seated = AuditEvent.objects.get(action="committeemember_added")
    assert seated.brand_id == aurora.pk
    assert seated.after["membership"] == membership.pk
    assert CommitteeMember.objects.filter(membership=membership).exists()
    added = AuditEvent.objects.get(action="endpoint_added")
    secret = Endpoint.objects.get().secret
    assert added.after["url"] == "https://hooks.aurora.example/semaforo"
    assert secret not in str(added.after)
    assert "secret" not in added.after


def test_a_token_issued_and_then_revoked_leaves_two_events_and_never_the_token(
    client, root, aurora, capsys
):
    call_command("create_api_token", "listener", "--brand", aurora.slug)
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    issued = AuditEvent.objects.get(action="apitoken_issued")
    assert (issued.brand_id, issued.after["name"]) == (aurora.pk, "listener")

    token = issued.after["id"]
    url = reverse("admin:accounts_apitoken_change", args=[token])
    data = _form_data(client.get(url))
    data |= {"revoked_at_0": "2026-12-01", "revoked_at_1": "10:00:00"}
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)

    revoked = AuditEvent.objects.get(action="apitoken_changed")
    assert revoked.before["revoked_at"] is None
    assert revoked.after["revoked_at"].startswith("2026-12-01")
    everything = str(list(AuditEvent.objects.values_list("before", "after")))
    assert raw not in everything
    assert "digest" not in everything


def _errors(response) -> str:
    form = response.context["adminform"].form
    inlines = [f.errors for i in response.context["inline_admin_formsets"] for f in i.formset]
    return f"{form.errors} {inlines}"


def _form_data(response) -> dict:
    """What the admin's change form would post back unchanged: its fields and its inlines'."""
    assert response.status_code == 200
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in ("INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{name}"] = management[name].value()
        data[f"{formset.prefix}-TOTAL_FORMS"] = management["INITIAL_FORMS"].value()  # no extras
        forms += list(formset.initial_forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None:
                continue
            if hasattr(field.widget, "widgets"):  # a split date and time
                for index, part in enumerate(field.widget.decompress(value)):
                    if part is not None:
                        data[f"{key}_{index}"] = str(part)
            elif isinstance(value, (list, tuple)):
                data[key] = [str(item) for item in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            else:
                data[key] = str(value)
    return data
