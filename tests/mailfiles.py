"""Django's file mail backend, with one file per connection for certain.

Django names each file by the second and ``id()`` of the backend object; a worker that sends
two mails within a second can get the same id back for its second connection and append both
mails to one file, so a test counting files sees one mail too few.
"""

import os
import uuid
from datetime import UTC, datetime

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def _get_filename(self):
        if self._fname is None:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
            self._fname = os.path.join(self.file_path, f"{stamp}-{uuid.uuid4().hex}.log")
        return self._fname
