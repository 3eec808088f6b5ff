"""Reading one incoming e-mail: sender, threading headers, text, attachments, and whether
it is automatic or a delivery report.

The standard `email` package with `policy.default` parses; BeautifulSoup turns an HTML-only
e-mail into text (the site never shows an e-mail's HTML). The plain-text part is preferred.
The earlier mail a reply quotes is split off, so staff see the new text first and the
quote folded away.

Nothing here logs: an e-mail's content must never reach a log. A message that cannot be
read raises `Unreadable`, whose text names only what was wrong, never what it said.
"""

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from email import message_from_bytes
from email import message_from_string
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
from email.utils import parsedate_to_datetime

from bs4 import BeautifulSoup
from bs4 import Comment
from bs4 import NavigableString
from bs4 import Tag

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
REFERENCE = re.compile(r"\bH-\d{4}-\d{6}\b")
ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")
# RFC 3834 and its older relatives: an e-mail no program should answer automatically.
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list"}
AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond")
# The domain of the Message-ID given to an e-mail that has none (".invalid": never real).
GENERATED_ID_SUFFIX = "@no-message-id.invalid"


class Unreadable(Exception):
    """The message could not be parsed; the text says why without quoting it."""


@dataclass(frozen=True)
class Attachment:
    """A file that came with the e-mail; `data` None when it was over the size limit."""

    filename: str
    content_type: str
    size: int
    data: bytes | None


@dataclass(frozen=True)
class DeliveryReport:
    """What an RFC 3464 delivery status notification says about the message it returns."""

    original_message_id: str | None
    recipients: list[str]
    diagnostic: str
    failed: bool


@dataclass(frozen=True)
class Parsed:
    """One e-mail as the help desk files it."""

    message_id: str
    from_address: str
    from_name: str | None
    subject: str
    sent_at: datetime | None
    thread_ids: list[str]
    body: str
    quoted: str
    automatic: bool
    language: str | None
    attachments: list[Attachment] = field(default_factory=list)
    report: DeliveryReport | None = None

    @property
    def reference(self) -> str | None:
        """A reference number (H-2026-000123) named in the subject, if any."""
        match = REFERENCE.search(self.subject)
        return match.group(0) if match else None


def parse(raw: bytes, max_attachment_bytes: int) -> Parsed:
    """Read one RFC 5322 message. Raises Unreadable when it has no usable sender."""
    try:
        mail = message_from_bytes(raw, policy=policy.default)
        address, name = _sender(mail)
        report = _delivery_report(mail)
        body, quoted = _text(mail)
        return Parsed(
            message_id=_message_id(mail, raw),
            from_address=address,
            from_name=name,
            subject=_one_line(_header(mail, "Subject"))[:300],
            sent_at=_date(mail),
            thread_ids=_thread_ids(mail),
            body=body,
            quoted=quoted,
            automatic=report is not None or is_automatic(mail),
            language=_language(mail),
            attachments=[] if report else _attachments(mail, max_attachment_bytes),
            report=report,
        )
    except Unreadable:
        raise
    except Exception as exc:  # the email package's many ways to fail on broken input
        raise Unreadable(type(exc).__name__) from None


def _header(mail: EmailMessage, name: str) -> str:
    """A header's text ("" when missing or unreadable)."""
    try:
        value = mail.get(name)
    except Exception:  # a header the parser cannot even decode
        return ""
    return "" if value is None else str(value)


def _one_line(text: str) -> str:
    """One line of text without control characters (PostgreSQL refuses a NUL)."""
    return " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Cc").split())


def _sender(mail: EmailMessage) -> tuple[str, str | None]:
    pairs = getaddresses([_header(mail, "From")])
    for name, address in pairs:
        address = address.strip()
        if "@" in address and " " not in address and len(address) <= 320:
            return address, (_one_line(name)[:200] or None)
    raise Unreadable("no sender address")


def _message_id(mail: EmailMessage, raw: bytes) -> str:
    """The Message-ID, or a stable one made from the message's bytes when it has none
    (the same message read twice gets the same id, so it is still filed once)."""
    match = MESSAGE_ID.search(_header(mail, "Message-ID"))
    if match and len(match.group(0)) <= 250:
        return match.group(0)
    return f"<{hashlib.sha256(raw).hexdigest()}{GENERATED_ID_SUFFIX}>"


def has_own_id(message_id: str) -> bool:
    """Whether a stored Message-ID is the e-mail's own (not one made from its bytes)."""
    return not message_id.endswith(f"{GENERATED_ID_SUFFIX}>")


def _thread_ids(mail: EmailMessage) -> list[str]:
    """The Message-IDs this e-mail answers: In-Reply-To first, then References, newest first."""
    ids = MESSAGE_ID.findall(_header(mail, "In-Reply-To"))
    ids += reversed(MESSAGE_ID.findall(_header(mail, "References")))
    return list(dict.fromkeys(ids))[:100]


def _date(mail: EmailMessage) -> datetime | None:
    try:
        value = parsedate_to_datetime(_header(mail, "Date"))
    except (TypeError, ValueError, IndexError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _language(mail: EmailMessage) -> str | None:
    value = _header(mail, "Content-Language").split(",")[0].strip().lower()
    return value.split("-")[0] or None


def is_automatic(mail: EmailMessage) -> bool:
    """RFC 3834: Auto-Submitted other than "no", Precedence bulk/junk/list, an
    X-Autoreply-style header, or an empty return path (a bounce or other automatic mail)."""
    auto = _header(mail, "Auto-Submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return True
    if _header(mail, "Precedence").strip().lower() in AUTOMATIC_PRECEDENCE:
        return True
    if any(mail.get(name) is not None for name in AUTOREPLY_HEADERS):
        return True
    return_path = _header(mail, "Return-Path")
    return mail.get("Return-Path") is not None and return_path.strip() in ("<>", "")


# --- Text ------------------------------------------------------------------------------


def _content(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):  # an unknown or lying charset
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def _text(mail: EmailMessage) -> tuple[str, str]:
    """The new text and the quoted earlier mail, plain text preferred over HTML."""
    body = mail.get_body(preferencelist=("plain", "html"))
    if body is None:
        return "", ""
    text = _content(body)
    if body.get_content_subtype() == "html":
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Control characters out (a terminal escape, a NUL), every letter and space kept.
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return split_quote(text.strip("\n"))


BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre", "address", "center",
}  # fmt: skip
SKIPPED = {"script", "style", "head", "title", "template", "noscript", "svg", "object"}


def html_to_text(html: str) -> str:
    """Text of an HTML e-mail: paragraphs and line breaks kept, quoted parts
    (<blockquote>) marked with "> " as a plain-text mail does, links with their address."""
    soup = BeautifulSoup(html, "html.parser")
    try:
        text = _walk(soup)
    except RecursionError:  # absurdly nested markup: its words, without the layout
        text = soup.get_text("\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _walk(node) -> str:
    if isinstance(node, Comment):
        return ""
    if isinstance(node, NavigableString):
        return re.sub(r"\s+", " ", str(node))
    if not isinstance(node, Tag):
        return ""
    name = node.name
    if name in SKIPPED:
        return ""
    if name == "br":
        return "\n"
    inner = "".join(_walk(child) for child in node.children)
    if name == "blockquote":
        lines = [line.strip() for line in inner.strip("\n").split("\n")]
        return "\n" + "\n".join(f"> {line}".rstrip() for line in lines) + "\n"
    if name == "li":
        return "\n- " + inner.strip()
    if name in ("td", "th"):
        return inner.strip() + " "
    if name == "a":
        href = node.get("href") or ""
        if href.startswith(("http://", "https://")) and href not in inner:
            return f"{inner} <{href}>"
    if name in BLOCKS:
        return "\n" + inner.strip(" ") + "\n"
    return inner


# Where a reply's quote of the earlier mail starts, in the help desk's six languages.
ATTRIBUTION = re.compile(
    r"(wrote|schrieb|pisze|napisał|napisała|napisał\(a\)|napsal|napsala|napsal\(a\)|írta|"
    r"a scris)\s*:?\s*$",
    re.IGNORECASE,
)
SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(Original Message|Ursprüngliche Nachricht|Oryginalna wiadomość|"
    r"Původní zpráva|Eredeti üzenet|Mesaj original|Forwarded message|"
    r"Weitergeleitete Nachricht)\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)
HEADER_FROM = re.compile(r"^\s*\*?(From|Von|Od|Feladó|De la|De)\s*:", re.IGNORECASE)
HEADER_SENT = re.compile(
    r"^\s*\*?(Sent|Date|Gesendet|Datum|Wysłano|Data|Odesláno|Elküldve|Dátum|Trimis)\s*:",
    re.IGNORECASE,
)


def split_quote(text: str) -> tuple[str, str]:
    """(new text, quoted earlier mail). A reply that answers between quoted lines keeps
    everything as new text: folding it would hide what the sender wrote."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if SEPARATOR.match(line) or (
            HEADER_FROM.match(line)
            and any(HEADER_SENT.match(n) for n in lines[index + 1 : index + 4])
        ):
            return _cut(lines, index)
        if line.startswith(">"):
            if _answers_inline(lines[index:]):
                return text, ""
            start = index
            previous = _previous_filled(lines, index)
            if previous is not None and (
                ATTRIBUTION.search(lines[previous]) or lines[previous].rstrip().endswith(":")
            ):
                start = previous
                before = _previous_filled(lines, previous)
                # An attribution line wrapped in two ("On …, Name <a@b>\n wrote:").
                if before is not None and before == previous - 1 and "@" in lines[previous]:
                    if not ATTRIBUTION.search(lines[before]) and "<" in lines[before]:
                        start = before
            return _cut(lines, start)
    return text, ""


def _answers_inline(rest: list[str]) -> bool:
    """Whether the sender wrote between or below the quoted lines (a signature aside)."""
    for line in rest:
        if line.rstrip() == "--":
            return False
        if line.strip() and not line.startswith(">"):
            return True
    return False


def _previous_filled(lines: list[str], index: int) -> int | None:
    for position in range(index - 1, -1, -1):
        if lines[position].strip():
            return position
    return None


def _cut(lines: list[str], index: int) -> tuple[str, str]:
    return "\n".join(lines[:index]).strip("\n"), "\n".join(lines[index:]).strip("\n")


# --- Attachments -----------------------------------------------------------------------


def _leaves(part: EmailMessage):
    if part.get_content_maintype() == "multipart":
        for sub in part.iter_parts():
            yield from _leaves(sub)
    else:
        yield part


def _attachments(mail: EmailMessage, limit: int) -> list[Attachment]:
    """Every file part, in order; kept while the e-mail's files fit in `limit` bytes."""
    body = mail.get_body(preferencelist=("plain", "html"))
    found = []
    used = 0
    for part in _leaves(mail):
        if part is body:
            continue
        filename = part.get_filename()
        maintype = part.get_content_maintype()
        if maintype == "text" and not filename and not part.is_attachment():
            continue  # the other alternative of the text, or a footer a list added
        if maintype == "message":
            inner = part.get_content()
            data = inner.as_bytes() if hasattr(inner, "as_bytes") else bytes(inner)
            filename = filename or "message.eml"
        else:
            data = part.get_payload(decode=True) or b""
        if not filename:
            extension = mimetypes.guess_extension(part.get_content_type()) or ""
            filename = f"attachment-{len(found) + 1}{extension}"
        name = safe_filename(filename)
        size = len(data)
        keep = used + size <= limit
        if keep:
            used += size
        found.append(Attachment(name, part.get_content_type()[:120], size, data if keep else None))
    return found


def safe_filename(name: str) -> str:
    """A file name without folders, control characters or leading dots, at most 255 long."""
    name = re.split(r"[/\\]", str(name))[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '"<>:|?*')
    name = name.strip().lstrip(".").strip()
    return name[-255:] or "attachment"


# --- Delivery status notifications (RFC 3464) ------------------------------------------


def _delivery_report(mail: EmailMessage) -> DeliveryReport | None:
    if mail.get_content_type() != "multipart/report":
        return None
    if (mail.get_param("report-type") or "").lower() != "delivery-status":
        return None
    original = None
    recipients: list[str] = []
    diagnostics: list[str] = []
    failed = False
    for part in mail.iter_parts():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in part.get_payload():
                action = str(block.get("Action", "")).strip().lower()
                for name in ("Final-Recipient", "Original-Recipient"):
                    value = str(block.get(name, ""))
                    address = value.partition(";")[2].strip() or value.strip()
                    if "@" in address:
                        recipients.append(address)
                if action == "failed":
                    failed = True
                    status = str(block.get("Status", "")).strip()
                    code = str(block.get("Diagnostic-Code", "")).strip()
                    code = code.partition(";")[2].strip() if ";" in code else code
                    diagnostics.append(" ".join(filter(None, (status, code))))
        elif kind == "text/rfc822-headers":
            headers = message_from_string(_content(part), policy=policy.default)
            original = original or _first_id(headers.get("Message-ID"))
        elif kind == "message/rfc822":
            inner = part.get_content()
            original = original or _first_id(inner.get("Message-ID"))
    diagnostic = ADDRESS.sub("<address>", "; ".join(dict.fromkeys(diagnostics)))
    return DeliveryReport(original, recipients, _one_line(diagnostic)[:250], failed)


def _first_id(value) -> str | None:
    match = MESSAGE_ID.search(str(value or ""))
    return match.group(0) if match else None
