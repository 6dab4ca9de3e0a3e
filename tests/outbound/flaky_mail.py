"""A mail server that goes down and refuses addresses, for the outbox tests.

Stands in for SMTP (infrastructure, not the desk): Django's own test backends, made to raise
what ``smtplib`` raises. In the test process it is down while ``SERVER.down`` is set and
refuses the addresses in ``SERVER.refused``; in a worker it is down while the file named by
``SMTP_DOWN_FLAG`` exists, and otherwise writes each mail as the file backend does.
"""

import os
import smtplib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from tests.mailfiles import EmailBackend as FileBackend


@dataclass
class Server:
    down: bool = False
    refused: set[str] = field(default_factory=set)
    tried: int = 0

    def check(self, messages) -> None:
        self.tried += len(messages)
        flag = os.environ.get("SMTP_DOWN_FLAG")
        if self.down or (flag and Path(flag).exists()):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        for message in messages:
            refused = self.refused.intersection(message.to)
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(refused, (550, b"5.1.1 mailbox unavailable"))
                )


SERVER = Server()


class EmailBackend(LocmemBackend):
    """In the test process: ``django.core.mail.outbox`` gets what the server accepted."""

    def send_messages(self, messages):
        SERVER.check(messages)
        return super().send_messages(messages)


class FileEmailBackend(FileBackend):
    """In a worker: one file per mail accepted, in ``EMAIL_FILE_PATH``. A server that is down
    refuses the connection, before the file backend opens its file."""

    def open(self):
        SERVER.check([])
        return super().open()

    def send_messages(self, messages):
        SERVER.check(messages)
        return super().send_messages(messages)
