"""Helpers for the help-form POST in the benchmark: answers for a form, wrk's Lua script."""

import urllib.error
import urllib.request
from html.parser import HTMLParser

# Counts what the site answered; wrk runs one Lua state per thread, done() adds them up.
LUA = """
wrk.method = "POST"
wrk.body = BODY
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = COOKIE
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) accepted = 0; rejected = 0 end
function response(status, headers, body)
  if status == 200 or status == 201 or status == 303 then accepted = accepted + 1
  else rejected = rejected + 1 end
end
function done(summary, latency, requests)
  local a, r = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("accepted"); r = r + t:get("rejected") end
  io.write(string.format("accepted=%d\\nrejected=%d\\n", a, r))
end
"""

# Fields a person leaves empty: traps for bots.
TRAP_WORDS = ("website", "homepage", "url", "honeypot", "trap")


class _FormParser(HTMLParser):
    """The first POST form's fields, each filled as a careful visitor would."""

    def __init__(self) -> None:
        super().__init__()
        self.in_form = False
        self.done = False
        self.fields: dict[str, str] | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.done:
            return
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.in_form, self.fields = True, {}
        if not self.in_form or not a.get("name"):
            if tag == "option" and self.select and a.get("value"):
                self.fields.setdefault(self.select, a["value"])
            return
        name = a["name"]
        kind = (a.get("type") or "text").lower()
        if tag == "select":
            self.select = name
        elif tag == "textarea":
            self.fields[name] = "Benchmark: how fast is the help form? " * 3
        elif kind == "hidden":
            self.fields[name] = a.get("value", "")
        elif kind in ("checkbox", "radio"):
            self.fields.setdefault(name, a.get("value", "y"))
        elif kind == "email":
            self.fields[name] = "bench@example.org"
        elif kind == "tel":
            self.fields[name] = "+49 371 000000"
        elif kind in ("submit", "button"):
            pass
        elif any(word in name.lower() for word in TRAP_WORDS):
            self.fields[name] = ""
        else:
            self.fields[name] = "Bench Mark"

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def post_fields(html: str) -> dict[str, str] | None:
    """Answers for the first POST form in the page, or None when there is none."""
    parser = _FormParser()
    parser.feed(html)
    return parser.fields


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep a 303 as the answer: it is what we count."""

    def redirect_request(self, *args, **kwargs):
        return None


def post(opener: urllib.request.OpenerDirector, url: str, body: str) -> int:
    """POST a form body; the status code (a redirect is not followed)."""
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with opener.open(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
