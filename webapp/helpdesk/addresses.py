"""E-mail addresses, compared one way everywhere: storage, look-up, limits, export, forget.

An address is kept as the visitor typed it (that is what the pages show and where mail
goes); beside it the database holds its normalised form (`normalise`), and every
comparison uses that, in Python, never the database's lower(): SQLite's folds ASCII
only, so `ÖZIL@…` and `özil@…` were one address on PostgreSQL and two on SQLite.

- `normalise`: surrounding space stripped, Unicode NFC, case folded (`Straße@X.org` and
  `strasse@x.org` are one address). Look-up, export and forget use it: they act on
  exactly that address, so `ana+news@…` is not `ana@…`.
- `mailbox`: the normalised address without a `+tag` in its local part: what the daily
  confirmation limit counts, since `victim+1@…` and `victim+2@…` reach one inbox.
- `replace_in_text`: an address in free text (a note, an e-mail's body) replaced only
  where it stands as a whole address, never as the tail of another (`ana@…` in
  `jana@…`).

Imports nothing of the app, so the models use it too: they set the keys whenever an
address is set (ContactRequest.email_key, OutboxMessage.recipient_key and
recipient_mailbox).
"""

import unicodedata

# Besides letters and digits (of any script), the characters a local part may hold
# (RFC 5322 atext and the dot): an address does not start in the middle of these.
_LOCAL_SYMBOLS = frozenset("!#$%&'*+-/=?^_`{|}~.")
# Allowed in a local part, but at its start they are quotes or punctuation around it.
_NOT_FIRST = frozenset(".'`")


def normalise(address: str) -> str:
    """The address as compared and stored for look-ups: stripped, NFC, case folded."""
    nfc = unicodedata.normalize("NFC", address.strip())
    # Folding can decompose (İ becomes i and a combining dot): compose again.
    return unicodedata.normalize("NFC", nfc.casefold())


def mailbox(address: str) -> str:
    """The normalised address without a `+tag` in its local part: one inbox."""
    local, at, domain = normalise(address).rpartition("@")
    if not at:
        return normalise(address)
    base, plus, _tag = local.partition("+")
    return f"{base if plus and base else local}@{domain}"


def _is_word(character: str) -> bool:
    """A letter, a digit or a combining mark, of any script."""
    if character.isascii():
        return character.isalnum()
    return unicodedata.category(character)[0] in "LMN"


def _in_local_part(character: str) -> bool:
    return _is_word(character) or character in _LOCAL_SYMBOLS


def _in_domain(character: str) -> bool:
    return _is_word(character) or character == "-"


def _spans(text: str):
    """(start, end) of every whole address in `text`: around each "@", the longest run of
    local-part characters before it and of domain labels after it. A dot ends the
    address unless a label follows ("ana@example.org." is ana@example.org)."""
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and _in_local_part(text[start - 1]):
            start -= 1
        # Quotes and dots around an address are not part of it ('ana@…', "...ana@…").
        while start < at and text[start] in _NOT_FIRST:
            start += 1
        end = at + 1
        while end < len(text) and _in_domain(text[end]):
            end += 1
            if end + 1 < len(text) and text[end] == "." and _in_domain(text[end + 1]):
                end += 1
        # "a@b@c" is no address of anyone's: its parts are left alone.
        glued = (start > 0 and text[start - 1] == "@") or (end < len(text) and text[end] == "@")
        if start < at and end > at + 1 and not glued:
            yield start, end
        at = text.find("@", max(end, at + 1))


def replace_in_text(text: str, address: str, replacement: str) -> str:
    """`text` with every whole occurrence of `address` (any case or Unicode form) replaced."""
    target = normalise(address)
    parts = []
    done = 0
    for start, end in _spans(text):
        if normalise(text[start:end]) == target:
            parts.append(text[done:start])
            parts.append(replacement)
            done = end
    if not parts:
        return text
    return "".join(parts) + text[done:]
