"""Django's file mail backend, with one file per connection for certain, seen whole or not at
all.

Django names each file by the second and ``id()`` of the backend object; a worker that sends
two mails within a second can get the same id back for its second connection and append both
mails to one file, so a test counting files sees one mail too few. And Django writes the file
in place: a test polling the folder could read it while it was still empty. Each mail is
written under a ``.part`` name and renamed to ``.log`` when its connection closes.
"""

import os
import uuid
from datetime import UTC, datetime

from django.core.mail.backends.filebased import EmailBackend as FileBackend

PARTIAL = ".part"


class EmailBackend(FileBackend):
    def _get_filename(self):
        if self._fname is None:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
            name = f"{stamp}-{uuid.uuid4().hex}.log{PARTIAL}"
            self._fname = os.path.join(self.file_path, name)
        return self._fname

    def close(self):
        written = self.stream is not None
        try:
            super().close()
        finally:
            if written:
                os.replace(self._fname, self._fname.removesuffix(PARTIAL))
                self._fname = None  # a connection opened again writes a file of its own
