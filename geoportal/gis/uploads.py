"""Uploads stop at MAX_UPLOAD_SIZE while the body streams in, not after it has been stored: a
request that declares more is refused before a byte is read (UploadLimitMiddleware), and one
that sends more than it declared (or declares nothing) is cut off at the limit by
LimitedUploadHandler, which marks the request so that the answer can say why (413)."""

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.utils.translation import gettext as _

# Room for the form's other fields beside the file, in a request's declared length.
FORM_FIELDS_ALLOWANCE = 1024 * 1024


def too_large_message():
    return _("The upload is larger than the limit of %(limit)s MB.") % {
        "limit": settings.MAX_UPLOAD_SIZE // 2**20
    }


def declared_too_large(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.MAX_UPLOAD_SIZE + FORM_FIELDS_ALLOWANCE


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Files go to a temporary file as Django's own handler writes them, up to the limit."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.MAX_UPLOAD_SIZE:
            self.request.upload_too_large = True
            # connection_reset: stop reading the body here rather than draining the rest.
            raise StopUpload(connection_reset=True)
        return super().receive_data_chunk(raw_data, start)
