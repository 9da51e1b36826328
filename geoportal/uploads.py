"""Uploaded files on disk, for GDAL, which opens files by name and judges them by extension."""

import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def upload_on_disk(upload):
    """Yield the path of a copy of the upload, keeping its file name; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="geoportal-upload-") as folder:
        path = Path(folder) / (Path(upload.name).name or "upload")
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        yield path
