"""Settings for the geoportal, read from environment variables with safe local defaults.

Production uses geoportal.production, which requires a real SECRET_KEY and turns on HTTPS-only
cookies and headers.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The local default is only good for a developer's machine; production refuses it.
SECRET_KEY = os.environ.get("SECRET_KEY", "local-development-key-not-for-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Django's admin with the portal's site: the planners' home, notices, refusals explained.
    "geoportal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc from the project's own static files
    "corsheaders",
    "leaflet",
    "axes",
    "csp",
    "cities",
    "cities.services",
    "cities.indicators",
    "layers",
    "layers.ogc",
    "geoportal.search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "geoportal.middleware.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "geoportal.middleware.ApiGZipMiddleware",
    "geoportal.database.middleware.ReadYourWritesMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "geoportal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "geoportal.middleware.TokenAuthenticationMiddleware",
    "geoportal.middleware.UploadLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "geoportal.throttling.RateLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "geoportal.middleware.ServerErrorMiddleware",
    "geoportal.database.middleware.ReplicaFallbackMiddleware",
]

ROOT_URLCONF = "geoportal.urls"
WSGI_APPLICATION = "geoportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "geoportal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        # The default follows PGPORT as the Makefile does, so that a bare `pytest` or manage.py
        # with another developer's ports never reaches the cluster on the default port.
        os.environ.get(
            "DATABASE_URL",
            f"postgis://geoportal@127.0.0.1:{os.environ.get('PGPORT', '54329')}/geoportal",
        ),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        engine="django.contrib.gis.db.backends.postgis",
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A streaming replica for reads (geoportal/database): DATABASE_REPLICA_URL names it; without it
# every query uses the primary. Writes, transactions and migrations always use the primary; a
# request or client that wrote reads from the primary for READ_YOUR_WRITES_SECONDS (a cookie
# carries it to the next requests); the replica is skipped while unreachable or more than
# REPLICA_MAX_LAG_SECONDS behind (checked at most every REPLICA_CHECK_SECONDS per process).
# DB_TRANSACTION_POOLING=true behind PgBouncer in transaction mode: a server connection serves
# one transaction at a time, so no server-side cursors and no prepared statements.
DB_TRANSACTION_POOLING = env_bool("DB_TRANSACTION_POOLING", False)
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        engine="django.contrib.gis.db.backends.postgis",
    )
    # Tests never create a database on a read-only replica.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
for _database in DATABASES.values():
    _database["CONN_HEALTH_CHECKS"] = True
    if DB_TRANSACTION_POOLING:
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
        _database.setdefault("OPTIONS", {})["prepare_threshold"] = None
DATABASE_ROUTERS = ["geoportal.database.router.PrimaryReplicaRouter"]
READ_YOUR_WRITES_SECONDS = int(os.environ.get("READ_YOUR_WRITES_SECONDS", "10"))
READ_YOUR_WRITES_COOKIE = "geoportal_primary"
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "30"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "5"))
# /healthz and /readyz (geoportal/health.py): the name this web instance reports (several run
# behind one proxy), how many Celery workers /readyz waits for and for how long at most.
INSTANCE_NAME = os.environ.get("INSTANCE_NAME", "web")
HEALTH_EXPECTED_WORKERS = int(os.environ.get("HEALTH_EXPECTED_WORKERS", "1"))
HEALTH_WORKER_TIMEOUT = float(os.environ.get("HEALTH_WORKER_TIMEOUT", "1.0"))

REDIS_URL = os.environ.get(
    "REDIS_URL", f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '63799')}/0"
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "geoportal"),
    }
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Task modules that are not an app's tasks.py (autodiscovery finds those).
CELERY_IMPORTS = ["layers.imports.tasks", "layers.downloads.tasks", "geoportal.search.index"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Belarusian first: the portal's default language.
LANGUAGE_CODE = "be"
LANGUAGES = [("be", _("Belarusian")), ("ru", _("Russian")), ("en", _("English"))]
# The portal's messages first; then Belarusian in the official orthography for the words of Django's
# admin and django-leaflet's map tools, whose own Belarusian uses the classical spelling.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "geoportal" / "upstream_translations"]
# The language a reader chose (geoportal/languages.py) is remembered for a year: the API docs,
# OGC pages and the admin, which have no language prefix, follow it.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# Dates and numbers in each language's own format (Django ships none for Belarusian).
FORMAT_MODULE_PATH = ["geoportal.formats"]
TIME_ZONE = "Europe/Minsk"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# WhiteNoise serves the collected files (hashed, compressed: geoportal/staticfiles.py; `make run`
# collects them) and, in development, also straight from the sources (finders).
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "geoportal.staticfiles.PortalStaticFilesStorage"},
}

# The base map is a setting: a tile URL template and its attribution. An empty URL means no base
# map, and every page works without one (the tiles of internet base maps may be unreachable).
BASEMAP_URL = os.environ.get("BASEMAP_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
BASEMAP_ATTRIBUTION = os.environ.get(
    "BASEMAP_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (53.7, 27.9),
    "DEFAULT_ZOOM": 6,
    "SPATIAL_EXTENT": (23.0, 51.2, 32.8, 56.2),
    "TILES": [("Base map", BASEMAP_URL, {"attribution": BASEMAP_ATTRIBUTION})]
    if BASEMAP_URL
    else [],
    "RESET_VIEW": False,
}

REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "geoportal.pagination.Pages",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Tokens (issued and revoked in the admin) for scripts; sessions for the browsable API.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "geoportal.authentication.LimitedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # One atomic Redis count per request, by a client address X-Forwarded-For cannot forge
    # (geoportal/throttling.py; the rates are RATE_LIMITS below).
    "DEFAULT_THROTTLE_CLASSES": ["geoportal.throttling.ApiRateThrottle"],
    # One error body {"detail", "code"} for every 4xx (geoportal/api_errors.py).
    "EXCEPTION_HANDLER": "geoportal.api_errors.handle_api_exception",
    # The schema lists every error an operation can answer and who may call it.
    "DEFAULT_SCHEMA_CLASS": "geoportal.openapi.PortalAutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Smart Cities of Belarus geoportal API",
    "DESCRIPTION": "Regions, cities, map layers and their features, city services and indicators.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Reads are open to any origin (public open data); writes need a token, which CORS cannot leak.
CORS_ALLOW_ALL_ORIGINS = env_bool("CORS_ALLOW_ALL_ORIGINS", True)
CORS_URLS_REGEX = r"^/(api|ogc|tiles)/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# Upload limits for planners' files (bytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# `manage.py load_demo` runs these in order; each app adds its own.
DEMO_LOADERS = [
    "cities.demo.load",
    "layers.demo.load",
    "cities.services.demo.load",
    "cities.indicators.demo.load",
    "geoportal.search.index.load",
]

# KPIs computed from the map (`manage.py recompute_kpis`), in order; those needing layers are the
# layers app's, so that cities never imports layers.
KPI_COMPUTATIONS = [
    "cities.indicators.kpis.transport_convenience",
    "layers.kpis.green_areas",
    "cities.indicators.kpis.services_per_100k",
]

# Debian 12 ships GDAL 3.6, which cannot block file and network access from spatial reference
# definitions (that came with GDAL 3.9). Known and accepted here; upgrade GDAL to lift it.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# OGC API - Features: the largest page a client may ask for (`limit` is clamped to it), and the
# smallest limit a JSON page's next link asks for, so that clients which follow next links with
# a tiny first page (GDAL before 3.8 asks for 10) read big pages after it (0: the client's limit).
OGC_MAX_LIMIT = int(os.environ.get("OGC_MAX_LIMIT", "10000"))
OGC_NEXT_MIN_LIMIT = int(os.environ.get("OGC_NEXT_MIN_LIMIT", "1000"))
# Planners' files (geoportal/gis, layers/imports): the largest upload accepted, the caps checked
# on a zip before anything is extracted, and where uploads wait for the worker.
MAX_UPLOAD_SIZE = int(os.environ.get("MAX_UPLOAD_SIZE", str(2 * 1024**3)))
# A zip may unpack to IMPORT_ZIP_MAX_RATIO times MAX_UPLOAD_SIZE at most.
IMPORT_ZIP_MAX_RATIO = int(os.environ.get("IMPORT_ZIP_MAX_RATIO", "4"))
IMPORT_ZIP_MAX_UNCOMPRESSED = int(
    os.environ.get("IMPORT_ZIP_MAX_UNCOMPRESSED", str(IMPORT_ZIP_MAX_RATIO * MAX_UPLOAD_SIZE))
)
IMPORT_ZIP_MAX_FILES = int(os.environ.get("IMPORT_ZIP_MAX_FILES", "1000"))
IMPORT_ROOT = Path(os.environ.get("IMPORT_ROOT", MEDIA_ROOT / "imports"))
# Imports that survive faults (layers/imports/recovery.py): a running import touches its heartbeat
# this often; one silent for IMPORT_STALE_SECONDS lost its worker, and the sweep (every
# IMPORT_SWEEP_SECONDS, by Celery beat) queues it again until IMPORT_MAX_ATTEMPTS, then fails it.
IMPORT_HEARTBEAT_SECONDS = float(os.environ.get("IMPORT_HEARTBEAT_SECONDS", "10"))
IMPORT_STALE_SECONDS = float(os.environ.get("IMPORT_STALE_SECONDS", "60"))
IMPORT_SWEEP_SECONDS = float(os.environ.get("IMPORT_SWEEP_SECONDS", "60"))
IMPORT_MAX_ATTEMPTS = int(os.environ.get("IMPORT_MAX_ATTEMPTS", "2"))
# The swap of a layer's features waits at most this long for each lock (an edit of the layer, a
# long read), then steps back and tries again, for at most IMPORT_SWAP_PATIENCE seconds.
IMPORT_LOCK_TIMEOUT_MS = int(os.environ.get("IMPORT_LOCK_TIMEOUT_MS", "1000"))
IMPORT_SWAP_PATIENCE = float(os.environ.get("IMPORT_SWAP_PATIENCE", "600"))
CELERY_BEAT_SCHEDULE = {
    "sweep-imports": {"task": "layers.sweep", "schedule": IMPORT_SWEEP_SECONDS},
}
# A task whose worker died unacknowledged goes back to the queue after this many seconds (Redis
# keeps it an hour by default). A task delivered twice is harmless: an import runs only once
# (recovery.claim) and a download build finds its file made.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300"))
}

# Downloads (layers/downloads). Whole layers are made once per layer version by the worker and
# kept under DOWNLOADS_ROOT (shared by web and workers). DOWNLOADS_ACCEL_REDIRECT, a prefix such
# as "/_protected_downloads/", makes Django answer with `X-Accel-Redirect: <prefix><path relative
# to DOWNLOADS_ROOT>` and no body, for nginx to serve from an internal location aliased to
# DOWNLOADS_ROOT; DOWNLOADS_X_SENDFILE=true answers with `X-Sendfile: <absolute path>` (Apache,
# lighttpd). Empty and false: Django streams the file (with Range). Public layers' files may sit
# in shared caches for DOWNLOAD_HTTP_MAX_AGE seconds; private ones never.
DOWNLOADS_ROOT = Path(os.environ.get("DOWNLOADS_ROOT", MEDIA_ROOT / "downloads"))
DOWNLOADS_ACCEL_REDIRECT = os.environ.get("DOWNLOADS_ACCEL_REDIRECT", "")
DOWNLOADS_X_SENDFILE = env_bool("DOWNLOADS_X_SENDFILE", False)
DOWNLOAD_HTTP_MAX_AGE = int(os.environ.get("DOWNLOAD_HTTP_MAX_AGE", "300"))
# The longest one export may run (ogr2ogr is stopped then).
DOWNLOAD_BUILD_TIMEOUT = int(os.environ.get("DOWNLOAD_BUILD_TIMEOUT", "1800"))
# A selection (bbox, filter) is exported in the request: at most this many features and bytes,
# and at most this many such exports at once per client (user or address) and in all.
DOWNLOAD_SELECTION_MAX_FEATURES = int(os.environ.get("DOWNLOAD_SELECTION_MAX_FEATURES", "100000"))
DOWNLOAD_SELECTION_MAX_BYTES = int(
    os.environ.get("DOWNLOAD_SELECTION_MAX_BYTES", str(256 * 1024**2))
)
DOWNLOAD_EXPORTS_PER_CLIENT = int(os.environ.get("DOWNLOAD_EXPORTS_PER_CLIENT", "2"))
DOWNLOAD_EXPORTS_TOTAL = int(os.environ.get("DOWNLOAD_EXPORTS_TOTAL", "4"))

# Layers for citizens (layers/tiles.py, layers/views.py).
# Vector tiles are cached in the default cache for this long; a layer change makes new keys.
TILE_CACHE_SECONDS = int(os.environ.get("TILE_CACHE_SECONDS", str(7 * 24 * 3600)))
TILE_HTTP_MAX_AGE = int(os.environ.get("TILE_HTTP_MAX_AGE", "300"))
# Up to this many features a map loads a layer as GeoJSON; bigger layers come as vector tiles.
LAYER_GEOJSON_MAX_FEATURES = int(os.environ.get("LAYER_GEOJSON_MAX_FEATURES", "5000"))
# Base maps offered by the national map's switcher, as JSON:
# [{"name": "OSM", "url": "https://.../{z}/{x}/{y}.png", "attribution": "..."}]. Empty: just
# BASEMAP_URL. A "no base map" choice is always offered (it works offline).
BASEMAPS = json.loads(os.environ.get("BASEMAPS", "[]"))

# The one search (geoportal/search/): the named features of layers up to this size are in its
# index (the 22,477 settlements are); bigger layers are found by their titles only.
SEARCH_MAX_FEATURES = int(os.environ.get("SEARCH_MAX_FEATURES", "50000"))
# The planners' admin (geoportal/admin_site.py): the sections of their home page and the notices
# shown on every admin page, each a function of the request (the apps register their own).
ADMIN_HOME_SECTIONS = [
    "layers.admin.home.layers_section",
    "cities.services.admin.home_section",
    "cities.indicators.admin.home_section",
    "cities.admin.home_section",
]
ADMIN_NOTICES = ["layers.imports.notices.admin_notices"]
# Every uploaded file is kept here, one folder per version, so that a version can be downloaded,
# retried and restored (layers/imports/originals.py); not served by the web server.
LAYER_ORIGINALS_ROOT = Path(os.environ.get("LAYER_ORIGINALS_ROOT", MEDIA_ROOT / "originals"))
# An import queued or running for longer than this is shown as stuck, with a retry.
IMPORT_STUCK_MINUTES = int(os.environ.get("IMPORT_STUCK_MINUTES", "60"))
# Planners with an e-mail address get one when their import finishes or fails, if this is on.
# Django's mail settings: the console backend by default (the message goes to the log).
IMPORT_NOTICE_EMAIL = env_bool("IMPORT_NOTICE_EMAIL", False)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "geoportal@localhost")

# Hostile clients (docs/security.md).
# Rate limits per scope (geoportal/throttling.py): anonymous clients by address, signed-in users by
# account; a browser showing the portal's pages counts its map data in "pages".
RATE_LIMITS = {
    "api": os.environ.get("API_RATE_ANON", "120/minute"),
    "users": os.environ.get("API_RATE_USER", "600/minute"),
    "ogc": os.environ.get("OGC_RATE", "300/minute"),
    "tiles": os.environ.get("TILE_RATE", "1200/minute"),
    "downloads": os.environ.get("DOWNLOAD_RATE", "10/minute"),
    "pages": os.environ.get("PAGE_RATE", "1200/minute"),
}
# Accounts with limits of their own in every scope, "user:rate,user:rate": the load benchmark's
# token (make cluster sets API_RATE_USERS=bench:1000000/minute) measures the servers, not a limit.
API_RATE_USERS = dict(item.split(":", 1) for item in env_list("API_RATE_USERS", "") if ":" in item)
# How many proxies of ours stand in front of the portal: X-Forwarded-For is read only behind them.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Logins (admin passwords, API tokens): locked per account and per address after this many
# failures, for AXES_COOLOFF_MINUTES (django-axes, counted in the cache).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = "geoportal.authentication.lockout_parameters"
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CLIENT_IP_CALLABLE = "geoportal.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "geoportal.throttling.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Uploads stop at MAX_UPLOAD_SIZE while the body streams in (geoportal/gis/uploads.py).
FILE_UPLOAD_HANDLERS = ["geoportal.gis.uploads.LimitedUploadHandler"]


# Content-Security-Policy (django-csp): scripts only from the portal's own files (the admin's
# django-leaflet widgets carry a per-response nonce), no inline script anywhere else, data only
# from this origin, images also from the base maps' tile servers. Inline style attributes stay
# allowed: the admin and Leaflet use them, and they cannot run code.
def _origins(urls):
    found = []
    for url in urls:
        parts = urlsplit(url.replace("{s}", "*"))
        if parts.scheme in ("http", "https") and parts.netloc:
            found.append(f"{parts.scheme}://{parts.netloc}")
    return found


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *_origins([BASEMAP_URL, *(b["url"] for b in BASEMAPS)])],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
