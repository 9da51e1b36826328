"""Static files as the portal serves them (WhiteNoise), in production and on `make run`'s
development server alike: hashed names cached for a year, gzip and brotli copies, and the ES
modules' imports rewritten to the hashed names too, so that every module of a page is cached
with it and a new release is fetched at once. `manage.py collectstatic` makes them."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
    # A file collectstatic has not seen yet keeps its plain name (development serves it from the
    # sources) rather than failing the page.
    manifest_strict = False

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            # Vendored files may name a source map they do not ship: the reference stays as
            # written (a browser asks for it only with its developer tools open).
            if name.split("?")[0].endswith(".map"):
                return name
            raise

    def url(self, name, force=False):
        if not self.hashed_files:
            # Not collected yet, or collected before the sources changed: their own names.
            return FileSystemStorage.url(self, name)
        # Hashed names with DEBUG on too (Django keeps them for DEBUG off).
        return super().url(name, force=True)

    def load_manifest(self):
        """In development (files also found in the sources), a manifest older than a source file
        is set aside: pages then name the sources as they are, until the next collectstatic."""
        paths, manifest_hash = super().load_manifest()
        if paths and settings.WHITENOISE_USE_FINDERS and self._outdated():
            return {}, ""
        return paths, manifest_hash

    def _outdated(self):
        manifest = Path(self.path(self.manifest_name))
        collected = manifest.stat().st_mtime
        for finder in finders.get_finders():
            for path, storage in finder.list([]):
                if Path(storage.path(path)).stat().st_mtime > collected:
                    return True
        return False
