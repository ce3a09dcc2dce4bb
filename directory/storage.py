"""Where the SMEs' identity documents are kept: a directory next to the media files that no URL
serves (not under MEDIA_URL, and no `url()`). Staff read them through a view that checks the
permission; they are deleted once the verification is decided."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/../private-media by default (PRIVATE_MEDIA_ROOT), read at each use so that tests
    and deployments may move it."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()
