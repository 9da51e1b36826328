"""Static files as production serves them: hashed names and gzip/brotli copies (WhiteNoise's
storage), the ES modules' imports rewritten to the hashed names too, so that every module of a
page is cached for a year and a new release is fetched at once."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
