from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from comments.api.connectors import MetaWebhook
from core.api.views import api_not_found
from core.health import healthz

# Swagger UI's page carries a <style> of its own and its bundle sets styles and runs workers;
# its script is served as a file (the split view), so scripts stay as strict as everywhere else.
api_docs = csp_update(
    {"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"], "img-src": ["data:"]}
)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("comments.api.urls")),
    path("api/v1/", include("crisis.api.urls")),
    path("api/v1/", include("reports.api.urls")),
    path("webhooks/meta/", MetaWebhook.as_view(), name="webhook-meta"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    re_path(r"^api/", api_not_found),  # the API's 404 is JSON, below every API route
    path("", include("brands.urls")),
    path("classifier/", include("comments.views_classifier")),
    path("imports/", include("comments.views_imports")),
    path("crises/", include("crisis.urls")),
    path("reports/", include("reports.urls")),
    path("", include("outbound.urls")),
    path("", include("comments.urls")),
    path("", include("replies.urls")),
    path("", include("cases.urls")),
]
