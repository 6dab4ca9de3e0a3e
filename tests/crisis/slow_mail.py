"""A mail server that hangs, for the worker-killed-mid-notification test.

Stands in for a slow SMTP server (infrastructure, not the desk): opening a connection marks a
file, so the test knows the worker is inside a notification, then waits before handing over to
Django's file backend. The first ``SLOW_MAIL_AFTER`` connections of the process go through at
once. With ``SLOW_MAIL_S`` unset it is the file backend.
"""

import os
import time
from pathlib import Path

from tests.mailfiles import EmailBackend as FileBackend

_opened = 0


class EmailBackend(FileBackend):
    def open(self):
        global _opened
        if self.stream is not None:  # send_messages re-opens an open connection
            return super().open()
        _opened += 1
        if _opened <= int(os.environ.get("SLOW_MAIL_AFTER", "0")):
            return super().open()
        mark = os.environ.get("SLOW_MAIL_MARK")
        if mark:
            Path(mark).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("SLOW_MAIL_S", "0")))
        return super().open()
