from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class ClientRateThrottle(UserRateThrottle):
    """Per-client rate from ``SEMAFORO['API_THROTTLE']``, read per request so it can change
    with the settings (DRF's own class binds its rates once, at import)."""

    scope = "client"

    def get_rate(self):
        return settings.SEMAFORO["API_THROTTLE"]
