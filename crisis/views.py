"""Crisis pages: thin, they read through ``crisis.selectors`` and act through the domain
modules. Another brand's crisis is not found (404), never forbidden."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crisis import crises


def crisis_list(request):
    return HttpResponse()


def crisis_room(request, pk: int):
    return HttpResponse()


@login_required
def crisis_ack(request, token: str):
    """The member's personal link: GET asks to confirm (mail scanners follow links), POST
    acknowledges. Only the person it was sent to, logged in, can use it."""
    try:
        crisis = crises.crisis_from_ack_token(token, user=request.user)
    except crises.AckLinkError as error:
        return render(request, "crisis/ack.html", {"error": str(error)},
                      status=403 if error.not_yours else 400)
    if request.method == "POST":
        if crises.crisis_acknowledge(crisis_id=crisis.pk, user=request.user):
            messages.success(request, _("Acknowledged: the committee knows you are on it."))
        return redirect("crisis-room", pk=crisis.pk)
    return render(request, "crisis/ack.html", {"crisis": crisis})
