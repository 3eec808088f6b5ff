"""One compiled copy of each template for every app a test process builds.

Each test builds its own app, and each app's Jinja environment would compile every
template it renders again. Jinja's bytecode cache (a public API) hands the compiled code
of a template, keyed by its name and source, to the next app: the same templates, the
same output, without compiling them a thousand times.
"""

from jinja2 import BytecodeCache


class SharedBytecode(BytecodeCache):
    """Jinja's compiled templates kept in memory for the whole test process."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


SHARED = SharedBytecode()


def share_compiled_templates(app):
    """Let `app` use (and fill) the process's compiled templates; returns `app`."""
    app.jinja_env.bytecode_cache = SHARED
    return app
