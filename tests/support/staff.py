"""The staff account the tests sign in with, through the real sign-in form."""

from dataclasses import dataclass
from urllib.parse import quote

from tests.support.csrf import csrf_from

STAFF_EMAIL = "staff@example.org"
STAFF_PASSWORD = "correct horse battery"


class StaffActions:
    """Sign a test client in and out through the real sign-in form (flaskr's AuthActions)."""

    email = STAFF_EMAIL
    password = STAFF_PASSWORD

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def create(self, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD) -> int:
        from webapp.helpdesk import accounts

        with self.app.app_context():
            return accounts.create(email, password).id

    def token(self, url: str = "/admin/login") -> str:
        return csrf_from(self.client.get(url).get_data(as_text=True))

    def login(
        self, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD, next: str | None = None
    ):
        url = "/admin/login" + (f"?next={quote(next, safe='')}" if next is not None else "")
        token = self.token(url)
        data = {"csrf_token": token, "email": email, "password": password}
        if next is not None:
            data["next"] = next
        return self.client.post("/admin/login", data=data)

    def choose_language(self, code: str):
        """Press a language button in the staff header (a POST; signed in or not)."""
        page = self.client.get("/admin/login", follow_redirects=True).get_data(as_text=True)
        return self.client.post(
            "/admin/language", data={"csrf_token": csrf_from(page), "lang": code}
        )

    def logout(self):
        return self.client.post("/admin/logout", data={"csrf_token": self.token("/admin/")})


@dataclass(frozen=True)
class SignedIn:
    """A staff client signed in, a CSRF token for its forms, one request's id, the app."""

    client: object
    token: str
    request_id: int
    app: object
