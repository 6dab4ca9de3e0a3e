from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from brands.access import SESSION_KEY, brands_of


@login_required
@require_POST
def brand_switch(request):
    """Work on one brand, or on all of one's brands together (an empty choice)."""
    chosen = request.POST.get("brand", "")
    if chosen.isdigit() and brands_of(request.user).filter(pk=int(chosen)).exists():
        request.session[SESSION_KEY] = int(chosen)
    else:
        request.session.pop(SESSION_KEY, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "queue"
    return redirect(target)
