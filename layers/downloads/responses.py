"""The HTTP side of downloads.

A whole layer: its stored file, with ETag/Last-Modified (304 on a match), Cache-Control (public
layers may sit in shared caches for DOWNLOAD_HTTP_MAX_AGE; private ones never), Range requests
(206, 416) and, behind a proxy, no body but X-Accel-Redirect (DOWNLOADS_ACCEL_REDIRECT) or
X-Sendfile (DOWNLOADS_X_SENDFILE). A file not made yet is queued and answered 202 with
Retry-After: a page that reloads itself for browsers, a line of text for scripts.

A selection: refused over DOWNLOAD_SELECTION_MAX_FEATURES, 429 when no export slot is free, else
streamed from the database (GeoJSON, CSV, KML) or written by ogr2ogr into a temporary folder and
streamed from there (GeoPackage, Shapefile). The stream holds its slot until it ends or the client
goes (the WSGI server then closes it, which closes the database cursor), and breaks off past
DOWNLOAD_SELECTION_MAX_BYTES.
"""

import logging
import re
import shutil
from urllib.parse import quote

from django.conf import settings
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.template.loader import render_to_string
from django.utils.http import http_date, parse_etags
from django.utils.translation import gettext as _

from ..queries import FeatureQuery
from . import exporters, store, tasks
from .slots import Busy, Slot, client_of

logger = logging.getLogger(__name__)

RETRY_SECONDS = 3
BUSY_RETRY_SECONDS = 10
SINGLE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _plain(text, status, **headers):
    response = HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _attachment(response, filename, licence_url):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = f'<{licence_url}>; rel="license"'
    return response


def whole_layer(request, layer, fmt, licence_url):
    """The stored file of the layer in `fmt`, or 202 while it is being made."""
    stored = store.stored_file(layer, fmt)
    if stored is None:
        return _preparing(request, layer, fmt)
    public = layer.is_public and layer.version > 0
    cache_control = (
        f"public, max-age={settings.DOWNLOAD_HTTP_MAX_AGE}" if public else "private, no-cache"
    )
    if stored.etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        try:
            response = _file_response(request, stored)
        except FileNotFoundError:  # removed since, by a newer version's build: ask for that
            return _preparing(request, layer, fmt)
        _attachment(response, stored.filename, licence_url)
    response["ETag"] = stored.etag
    response["Last-Modified"] = http_date(stored.made.timestamp())
    response["Cache-Control"] = cache_control
    return response


def _file_response(request, stored):
    if settings.DOWNLOADS_ACCEL_REDIRECT:
        # nginx serves the file itself (Range included) from an internal location.
        response = HttpResponse(content_type=stored.content_type)
        response["X-Accel-Redirect"] = settings.DOWNLOADS_ACCEL_REDIRECT + quote(stored.relative)
        return response
    if settings.DOWNLOADS_X_SENDFILE:
        response = HttpResponse(content_type=stored.content_type)
        response["X-Sendfile"] = str(stored.path)
        return response
    span = _range(request, stored)
    if span == "unsatisfiable":
        return _plain(_("The requested range is not in the file."), 416,
                      Content_Range=f"bytes */{stored.size}")  # fmt: skip
    handle = open(stored.path, "rb")  # noqa: SIM115 (the response closes it)
    if span is None:
        response = FileResponse(handle, content_type=stored.content_type)
    else:
        start, end = span
        response = StreamingHttpResponse(
            _read_span(handle, start, end - start + 1), status=206,
            content_type=stored.content_type,
        )  # fmt: skip
        response["Content-Range"] = f"bytes {start}-{end}/{stored.size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


def _range(request, stored):
    """(first, last) byte of a single satisfiable range; None for the whole file (no Range, an
    If-Range that no longer matches, several ranges or a malformed header, all of which RFC 9110
    lets a server answer with the whole file); "unsatisfiable" for a range past the end."""
    header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range")
    match = SINGLE_RANGE.match(header.strip())
    if not match or (if_range is not None and if_range != stored.etag):
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        length = min(int(last), stored.size)
        if length == 0:
            return "unsatisfiable"
        return stored.size - length, stored.size - 1
    first = int(first)
    last = min(int(last), stored.size - 1) if last else stored.size - 1
    if first >= stored.size:
        return "unsatisfiable"
    if last < first:
        return None
    return first, last


def _read_span(handle, start, length):
    with handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(exporters.CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk


def _preparing(request, layer, fmt):
    """Queue the file and say so: 202 and a retry time, or 503 after a failed build."""
    filename = exporters.file_name(FeatureQuery(layer), fmt)
    try:
        state = tasks.request_build(layer, fmt)
    except Exception:
        logger.exception("could not queue download %s of layer %s", fmt, layer.slug)
        state = store.FAILED
    failed = state == store.FAILED
    if failed:
        message = _("The file %(name)s could not be prepared just now. Please try again in a "
                    "minute.") % {"name": filename}  # fmt: skip
        status, retry = 503, store.FAILED_RETRY_SECONDS
    else:
        message = _("The file %(name)s is being prepared. It will be ready in a few seconds: "
                    "ask again then.") % {"name": filename}  # fmt: skip
        status, retry = 202, RETRY_SECONDS
    if "text/html" in request.headers.get("Accept", ""):
        body = render_to_string(
            "layers/download_preparing.html",
            {"layer": layer, "message": message, "refresh": retry, "failed": failed},
            request=request,
        )
        response = HttpResponse(body, status=status)
    else:
        response = _plain(message, status)
    response["Retry-After"] = str(retry)
    response["Cache-Control"] = "no-store"
    return response


def selection(request, query, fmt, licence_url):
    """A bbox or filter of the layer, made in the request under the caps."""
    count = query.count()
    if count > settings.DOWNLOAD_SELECTION_MAX_FEATURES:
        return _plain(
            _("The selection holds %(count)s features; a download of a selection may hold "
              "%(max)s. Choose a smaller area or filter, or download the whole layer.")
            % {"count": count, "max": settings.DOWNLOAD_SELECTION_MAX_FEATURES}, 400,
        )  # fmt: skip
    slot = Slot(client_of(request))
    try:
        slot.take()
    except Busy:
        return _plain(
            _("Too many downloads are being prepared at once. Please try again shortly."),
            429, Retry_After=str(BUSY_RETRY_SECONDS),
        )  # fmt: skip
    try:
        chunks = _selection_chunks(query, fmt)
    except exporters.ExportError:
        slot.release()
        logger.exception("selection %s of layer %s could not be made", fmt, query.layer.slug)
        return _plain(_("The file could not be made. Please try again later."), 503)
    except BaseException:
        slot.release()
        raise
    filename = exporters.file_name(query, fmt)
    response = StreamingHttpResponse(
        _Guarded(chunks, slot, filename), content_type=exporters.FORMATS[fmt][2]
    )
    response["Cache-Control"] = "private, no-store"
    return _attachment(response, filename, licence_url)


def _selection_chunks(query, fmt):
    if fmt in exporters.STREAMED:
        return exporters.stream(query, fmt)
    folder = store.temporary_folder()
    try:
        handle = open(exporters.write(query, fmt, folder), "rb")  # noqa: SIM115 (closed by the reader)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # an open handle keeps its file readable
    return _read_span(handle, 0, float("inf"))


class SelectionTooLarge(Exception):
    pass


class _Guarded:
    """The chunks passed on, renewing the slot; the slot is given back however the stream ends,
    even one closed before its first chunk (which a generator's `finally` would not see). Past
    the byte cap the stream breaks off: the client sees an incomplete transfer, not a short file."""

    def __init__(self, chunks, slot, filename):
        self.chunks, self.slot, self.filename = chunks, slot, filename
        self.sent, self.finished = 0, False

    def __iter__(self):
        return self

    def __next__(self):
        try:
            chunk = next(self.chunks)
        except StopIteration:
            self.finished = True
            self.close()
            raise
        self.sent += len(chunk)
        if self.sent > settings.DOWNLOAD_SELECTION_MAX_BYTES:
            self.close()
            raise SelectionTooLarge(f"{self.filename} passed DOWNLOAD_SELECTION_MAX_BYTES")
        self.slot.renew()
        return chunk

    def close(self):
        if self.slot.held:
            self.chunks.close()
            self.slot.release()
            if not self.finished:
                logger.info("download %s stopped after %s bytes", self.filename, self.sent)
