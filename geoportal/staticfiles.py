"""Static files as the portal serves them (WhiteNoise), in production and on `make run`'s
development server alike: hashed names cached for a year, gzip copies, and the ES modules'
imports rewritten to the hashed names too, so that every module of a page is cached with it and
a new release is fetched at once. `manage.py collectstatic` makes them."""

import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

# In development the collected copies are checked against the sources at most this often.
RECHECK_SECONDS = 1.0


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
    # A file collectstatic has not seen yet keeps its plain name (development serves it from the
    # sources) rather than failing the page.
    manifest_strict = False
    _checked = 0.0
    _manifest_mtime = None

    def url(self, name, force=False):
        if settings.WHITENOISE_USE_FINDERS:
            self._follow_the_sources()
        if not self.hashed_files:
            # Not collected yet, or collected before the sources changed: their own names.
            return FileSystemStorage.url(self, name)
        # Hashed names with DEBUG on too (Django keeps them for DEBUG off).
        return super().url(name, force=True)

    def _follow_the_sources(self):
        """Development: the manifest as collectstatic last wrote it, set aside while a file of
        the project's static/ is newer (edited since), so that a page never names stale copies."""
        now = time.monotonic()
        if now - self._checked < RECHECK_SECONDS:
            return
        self._checked = now
        try:
            collected = Path(self.path(self.manifest_name)).stat().st_mtime
        except FileNotFoundError:
            self.hashed_files = {}
            return
        edited = any(
            path.stat().st_mtime > collected
            for folder in settings.STATICFILES_DIRS
            for path in Path(folder).rglob("*")
            if path.is_file()
        )
        if edited:
            self.hashed_files = {}
        elif collected != self._manifest_mtime:
            self.hashed_files, self.manifest_hash = self.load_manifest()
            self._manifest_mtime = collected
