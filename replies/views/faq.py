"""The supervisors' FAQ and facts pages, and the case page's FAQ search and false-claim mark.

Thin: the rules are in ``replies.faq`` and ``replies.facts``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from brands.access import brand_ids_for_request
from brands.models import Brand
from comments import selectors
from core.errors import DomainError
from core.pages import perform
from replies import facts, faq
from replies.forms import FactForm, FaqEntryForm
from replies.models import Fact, FaqEntry

WORK = "cases.work_case"


def _form_errors(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _faq_edit(form) -> faq.FaqEdit:
    data = form.cleaned_data
    return faq.FaqEdit(
        language=data["language"],
        question=data["question"],
        answer=data["answer"],
        tags=faq.parse_tags(data.get("tags", "")),
        owner_id=data["owner"],
    )


@login_required
@permission_required(faq.CHANGE, raise_exception=True)
def faq_list(request):
    """The brand's FAQ: which answers are used, which are stale, which questions are missing;
    and the form that adds an entry."""
    brand_ids = brand_ids_for_request(request, faq.CHANGE)
    brands = Brand.objects.filter(pk__in=sorted(brand_ids))
    form = FaqEntryForm(
        request.POST or None,
        brands=brands,
        people=faq.brand_people(brand_ids),
        initial={"owner": request.user.pk},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                entry = faq.faq_save(
                    actor=request.user, edit=_faq_edit(form), brand_id=form.cleaned_data["brand"]
                )
            except DomainError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("FAQ entry saved."))
                return redirect("faq-edit", pk=entry.pk)
        status = 400
    now = timezone.now()
    return render(
        request,
        "replies/faq.html",
        {
            "rows": faq.faq_rows(brand_ids, now=now),
            "missing": faq.missing_questions(brand_ids, now=now),
            "form": form,
            "show_brand": len(brand_ids) > 1,
            "stale_days": settings.SEMAFORO["FAQ_STALE_DAYS"],
            "recent_days": faq.RECENT_DAYS,
            "weak_percent": round(faq.WEAK_MATCH * 100),
        },
        status=status,
    )


@login_required
@permission_required(faq.CHANGE, raise_exception=True)
def faq_edit(request, pk: int):
    brand_ids = brand_ids_for_request(request, faq.CHANGE)
    try:
        entry = faq.access_entry(entry_id=pk, brand_ids=brand_ids)
    except FaqEntry.DoesNotExist:
        raise Http404 from None
    initial = {
        "brand": entry.brand_id,
        "language": entry.language,
        "question": entry.question,
        "answer": entry.answer,
        "tags": ", ".join(entry.tags),
        "owner": entry.owner_id,
    }
    form = FaqEntryForm(
        request.POST or None,
        initial=initial,
        brands=[entry.brand],
        people=faq.brand_people(frozenset({entry.brand_id})),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                faq.faq_save(actor=request.user, edit=_faq_edit(form), entry_id=entry.pk)
            except DomainError as error:
                _form_errors(form, error)
            except FaqEntry.DoesNotExist:
                raise Http404 from None
            else:
                messages.success(request, _("FAQ entry saved."))
                return redirect("faq-edit", pk=entry.pk)
        status = 400
    return render(
        request,
        "replies/faq_edit.html",
        {"entry": entry, "form": form, "stale": faq.is_stale(entry, now=timezone.now())},
        status=status,
    )


@login_required
@permission_required(faq.CHANGE, raise_exception=True)
@require_POST
def faq_reviewed(request, pk: int):
    brand_ids = brand_ids_for_request(request, faq.CHANGE)
    _entry_or_404(pk, brand_ids)
    perform(
        request,
        lambda: faq.faq_mark_reviewed(entry_id=pk, actor=request.user),
        done=_("Marked as reviewed today: it is suggested again."),
    )
    return redirect("faq")


@login_required
@permission_required(faq.CHANGE, raise_exception=True)
@require_POST
def faq_delete(request, pk: int):
    brand_ids = brand_ids_for_request(request, faq.CHANGE)
    _entry_or_404(pk, brand_ids)
    perform(
        request,
        lambda: faq.faq_delete(entry_id=pk, actor=request.user),
        done=_("FAQ entry deleted."),
    )
    return redirect("faq")


def _entry_or_404(pk: int, brand_ids: frozenset[int]) -> FaqEntry:
    try:
        return faq.access_entry(entry_id=pk, brand_ids=brand_ids)
    except FaqEntry.DoesNotExist:
        raise Http404 from None


@require_safe
@login_required
@permission_required(WORK, raise_exception=True)
def case_faq_search(request, pk: int):
    """The reply box's FAQ suggestions (htmx partial): for what the person typed, or for the
    customer's comments when the field is empty."""
    case = selectors.access_case(pk, brand_ids_for_request(request, WORK))
    query = request.GET.get("faq_q", "")[:300]
    return render(
        request,
        "replies/_faq_suggestions.html",
        {"case": case, "faq_suggestions": faq.faq_suggestions(case, query=query), "faq_q": query},
    )


# --- facts ----------------------------------------------------------------------------------


def _fact_edit(form) -> facts.FactEdit:
    data = form.cleaned_data
    return facts.FactEdit(
        statement=data["statement"],
        source=data["source"],
        valid_until=data["valid_until"],
        tags=faq.parse_tags(data.get("tags", "")),
    )


@login_required
@permission_required(facts.CHANGE, raise_exception=True)
def fact_list(request):
    brand_ids = brand_ids_for_request(request, facts.CHANGE)
    form = FactForm(request.POST or None, brands=Brand.objects.filter(pk__in=sorted(brand_ids)))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                facts.fact_save(
                    actor=request.user,
                    edit=_fact_edit(form),
                    brand_id=form.cleaned_data["brand"],
                )
            except DomainError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Fact saved."))
                return redirect("facts")
        status = 400
    today = timezone.localdate()
    return render(
        request,
        "replies/facts.html",
        {
            "facts": Fact.objects.filter(brand_id__in=sorted(brand_ids)).select_related(
                "brand", "verified_by"
            ),
            "today": today,
            "form": form,
            "show_brand": len(brand_ids) > 1,
        },
        status=status,
    )


@login_required
@permission_required(facts.CHANGE, raise_exception=True)
def fact_edit(request, pk: int):
    brand_ids = brand_ids_for_request(request, facts.CHANGE)
    try:
        fact = facts.access_fact(fact_id=pk, brand_ids=brand_ids)
    except Fact.DoesNotExist:
        raise Http404 from None
    initial = {
        "brand": fact.brand_id,
        "statement": fact.statement,
        "source": fact.source,
        "valid_until": fact.valid_until,
        "tags": ", ".join(fact.tags),
    }
    form = FactForm(request.POST or None, initial=initial, brands=[fact.brand])
    status = 200
    if request.method == "POST":
        if request.POST.get("delete") == "1":
            perform(
                request,
                lambda: facts.fact_delete(fact_id=pk, actor=request.user),
                done=_("Fact deleted."),
            )
            return redirect("facts")
        if form.is_valid():
            try:
                facts.fact_save(actor=request.user, edit=_fact_edit(form), fact_id=fact.pk)
            except DomainError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Fact saved."))
                return redirect("facts")
        status = 400
    return render(
        request,
        "replies/fact_edit.html",
        {"fact": fact, "form": form, "expired": facts.is_expired(fact)},
        status=status,
    )


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def case_false_claim(request, pk: int):
    """Mark the case, or one of its comments, as spreading a false claim."""
    selectors.access_case(pk, brand_ids_for_request(request, WORK))
    fact_id, comment_id = request.POST.get("fact", ""), request.POST.get("comment", "")
    perform(
        request,
        lambda: facts.false_claim_mark(
            case_id=pk,
            actor=request.user,
            fact_id=int(fact_id) if fact_id.isdigit() else 0,
            comment_id=int(comment_id) if comment_id.isdigit() else None,
            note=request.POST.get("note", ""),
        ),
        done=_("Marked as spreading a false claim, with the fact that answers it."),
    )
    return redirect("case-detail", pk=pk)
