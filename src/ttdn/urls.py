from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from ttdn.api import api
from ttdn.portal import views as portal_views

urlpatterns = [
    path("accounts/", include("ttdn.accounts.urls")),
    path("api/", api.urls),
    # One login for everyone, with lock-out and the second factor: the admin's own form is not used.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("search/", include("ttdn.search.urls")),
    path("sync/", include("ttdn.sync.urls")),
    path("plans/", include("ttdn.programme.urls")),
    path("notices/", include("ttdn.notices.urls")),
    path("editorial/", include("ttdn.editorial.urls")),
    path("translation/", include("ttdn.translation.urls")),
    path("points/", include("ttdn.points.urls")),
    path("outreach/", include("ttdn.outreach.urls")),
    path("portal/", include("ttdn.portal.urls")),
    path("monitoring/", include("ttdn.monitoring.urls")),
    path("robots.txt", portal_views.robots, name="robots"),
    path("sitemap.xml", portal_views.sitemap, name="sitemap"),
    path("", include("ttdn.ops.urls")),
    path("", include("ttdn.content.urls")),
]

# Error pages in the person's language, inside the site's layout (ttdn/core/templates/4xx.html, 500.html).
handler400 = "ttdn.core.views.bad_request"
handler403 = "ttdn.core.views.permission_denied"
handler404 = "ttdn.core.views.page_not_found"
# The database away mid-request (restarting): 503 with Retry-After, in the person's language (ttdn.ops.unavailable).
handler500 = "ttdn.ops.unavailable.server_error"
