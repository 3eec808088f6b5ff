"""An SMTP server for bench/help_post.py: accepts every message, keeps none, and counts
them in the file named by its argument (read after the run, to show they arrived)."""

from pathlib import Path


class CountingSink:
    @classmethod
    def from_cli(cls, _parser, path: str) -> "CountingSink":
        """aiosmtpd's way of handing the handler its command-line arguments."""
        return cls(path)

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.count = 0

    async def handle_DATA(self, _server, _session, _envelope) -> str:
        self.count += 1
        self.path.write_text(str(self.count))
        return "250 OK"
