"""The health check a container or a load balancer polls: the process answers and reaches its
database. Plain HTTP is allowed here (SECURE_REDIRECT_EXEMPT), since the probe runs on the
loopback behind the TLS proxy."""

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    try:
        connection.ensure_connection()
    except DatabaseError:
        return HttpResponse("database unreachable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
