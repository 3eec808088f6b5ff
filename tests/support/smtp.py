"""A real SMTP server on loopback (aiosmtpd): its handler and the settings to reach it."""

import asyncio
import socket
import threading
from email import message_from_bytes
from email import policy


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """An aiosmtpd handler keeping every message it is given.

    `hold` (a threading.Event) makes DATA wait until it is set: a server that accepts
    and then does not answer. `refuse` (e.g. "451 Try again later") is its answer instead
    of accepting the message.
    """

    def __init__(self) -> None:
        self.messages = []
        self.hold: threading.Event | None = None
        self.holding = threading.Event()  # set while a DATA is being held
        self.refuse: str | None = None
        self.held_over = threading.Event()  # set once a held DATA is over (or its client gone)
        self.port: int | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.hold is not None:
            self.holding.set()
            try:
                # Wait for the test to let go, without blocking the server's event loop.
                await asyncio.get_running_loop().run_in_executor(None, self.hold.wait, 60)
            finally:
                self.held_over.set()
        if self.refuse:
            return self.refuse
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def parsed(self) -> list:
        """The received messages as email.message objects (policy default)."""
        return [
            message_from_bytes(e.original_content, policy=policy.default) for e in self.messages
        ]


def mail_settings(port: int) -> dict:
    """Settings for an app that sends through the test SMTP server on `port`."""
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_DEFAULT_SENDER": "website@wir.example",
        "HELPDESK_EMAIL": "hilfe@wir.example",
        "PUBLIC_BASE_URL": "https://wir.example/",
        "MAIL_TIMEOUT": 5,
    }
