"""The supervisors' protocol pages: thin, the rules are in ``replies.protocols``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from brands.access import brand_ids_for_request
from core.errors import DomainError
from replies import protocols
from replies.forms import (
    ProtocolForm,
    ReplyTemplateFormSet,
    step_edits,
    step_formset,
    template_edits,
)
from replies.models import Protocol, ProtocolStep, ReplyTemplate


@require_safe
@login_required
@permission_required(protocols.CHANGE, raise_exception=True)
def protocol_list(request):
    brand_ids = brand_ids_for_request(request, protocols.CHANGE)
    return render(
        request,
        "replies/protocols.html",
        {
            "protocols": protocols.brand_protocols(brand_ids=brand_ids),
            "show_brand": len(brand_ids) > 1,
        },
    )


@login_required
@permission_required(protocols.CHANGE, raise_exception=True)
def protocol_edit(request, pk: int):
    try:
        protocol = protocols.access_protocol(
            protocol_id=pk, brand_ids=brand_ids_for_request(request, protocols.CHANGE)
        )
    except Protocol.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        form = ProtocolForm(request.POST)
        formset = ReplyTemplateFormSet(request.POST, instance=protocol, prefix="templates")
        steps = step_formset(protocol, request.POST)
        if form.is_valid() and formset.is_valid() and steps.is_valid():
            try:
                protocols.protocol_save(
                    protocol_id=protocol.pk,
                    actor=request.user,
                    steps=step_edits(steps),
                    templates=template_edits(formset),
                    **form.cleaned_data,
                )
            except DomainError as error:
                form.add_error(None, str(error))
            except (Protocol.DoesNotExist, ProtocolStep.DoesNotExist, ReplyTemplate.DoesNotExist):
                raise Http404 from None
            else:
                messages.success(request, _("Protocol saved."))
                return redirect("protocol-edit", pk=protocol.pk)
        status = 400
    else:
        form = ProtocolForm(
            initial={
                "intermediate_solutions": "\n".join(protocol.solution_names()),
                "outcomes": protocol.outcomes,
                "requires_approval": protocol.requires_approval,
            }
        )
        formset = ReplyTemplateFormSet(instance=protocol, prefix="templates")
        steps = step_formset(protocol)
        status = 200
    return render(
        request,
        "replies/protocol_edit.html",
        {
            "protocol": protocol,
            "form": form,
            "formset": formset,
            "steps": steps,
            "placeholders": [f"{{{p}}}" for p in protocols.PLACEHOLDERS],
        },
        status=status,
    )
