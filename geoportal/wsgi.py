import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoportal.settings")
application = get_wsgi_application()
# Every URL module imported now, while the worker boots, not by the first request it serves:
# the OGC API's CQL2 grammar and schema tables take 0.4-0.5 s (a worker restarted by
# max_requests would make one client wait that long).
get_resolver().url_patterns  # noqa: B018 - the access imports them
