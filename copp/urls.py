from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from copp.choices import choices_view
from copp.files import protected_file
from copp.health import HealthView

handler404 = "copp.rest.api_not_found"


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page links; send them to the static file."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's script is served as a file (no inline script under the CSP), both from the sidecar.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("health/", HealthView.as_view(), name="health"),
    path("favicon.ico", favicon, name="favicon"),
    # Uploaded files (FileField.url): served after the owning app's permission check.
    path("files/<path:name>", protected_file, name="protected_file"),
    # Large choices searched as you type (copp.forms.SearchSelect).
    path("choices/<slug:kind>/", choices_view, name="choices"),
    path("", include("copp.accounts")),
    path("api/v1/", include("copp.api_urls")),
    path("", include("roadmap.urls")),
    path("", include("indicators.urls")),
    path("", include("reports.urls")),
]
