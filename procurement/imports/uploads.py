"""Refusing an upload that is too large while it streams in, before it is spooled to disk.

Django's own handlers keep the whole file (in memory, then in a temporary file) before a form
can look at its size. `SizeLimitUploadHandler` goes first in the request's handlers: it refuses
at once a body whose Content-Length is already too large, and otherwise counts the file's bytes
as they arrive and stops the upload the moment they pass the limit. The rest of the body is then
read and thrown away (so the browser receives the answer), never stored.
"""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# The form's other fields (CSRF token, multipart headers) take a few hundred bytes.
FORM_OVERHEAD_BYTES = 64 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.refused = False

    def _refuse(self) -> None:
        self.refused = True
        if self.request is not None:
            self.request.upload_too_large = True
        raise StopUpload(connection_reset=False)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.too_long = content_length > self.limit + FORM_OVERHEAD_BYTES
        return None  # the usual parsing goes on

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_long:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data  # handed on to the handler that stores the file

    def file_complete(self, file_size):
        return None


def limit_upload_size(request, *, limit: int) -> None:
    """Install the handler on a request, before anything reads request.POST or FILES."""
    request.upload_too_large = False
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request, limit=limit))
