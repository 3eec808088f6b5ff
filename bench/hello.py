"""The floor: a bare Flask app, served by the same gunicorn settings as the site."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """Hello, the cheapest response Flask can give."""
    return "Hello, World!"
