from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # it changes nothing, and a client posting to a wrong path deserves the JSON
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """What an API client gets for a path no endpoint serves (``/api/v1/crises/abc/``): the
    API's one error shape in JSON, never the desk's HTML page, whatever ``DEBUG`` says."""
    return JsonResponse(
        {"errors": [{"field": None, "message": "no such endpoint or object"}]}, status=404
    )
