"""The lighter Jinja context (webapp/jinja_context.py): calls behave as Jinja's own do."""

import pytest
from flask import render_template_string
from jinja2 import pass_context
from jinja2 import pass_environment
from jinja2 import pass_eval_context
from markupsafe import Markup

from webapp.web.jinja_context import PageContext


def render(app, source: str, **context) -> str:
    with app.test_request_context("/en/"):
        app.preprocess_request()
        return render_template_string(source, **context)


def test_every_template_renders_with_it(app):
    assert app.jinja_env.context_class is PageContext


def test_plain_functions_and_methods_get_their_arguments_and_nothing_else(app):
    def show(*args, **kwargs):
        return Markup(f"{args}{sorted(kwargs.items())}")

    class Thing:
        def named(self, first, second=None):
            return f"{first}-{second}"

    source = (
        "{{ show(1, b=2) }}|{% for x in [3] %}{% set y = x %}{{ show(y) }}{% endfor %}|"
        "{% block inner %}{% set z = 4 %}{{ show(z) }}{% endblock %}|"
        "{{ thing.named('a', second='b') }}"
    )
    # Inside a loop or block Jinja's compiler adds _loop_vars/_block_vars: never passed on.
    assert render(app, source, show=show, thing=Thing()) == "(1,)[('b', 2)]|(3,)[]|(4,)[]|a-b"


def test_pass_context_still_sees_variables_set_in_loops_and_blocks(app):
    @pass_context
    def looked_up(context, name):
        return context.resolve(name)

    source = (
        "{{ looked_up('who') }}|"
        "{% for x in [1] %}{% set item = 'loop' %}{{ looked_up('item') }}{% endfor %}|"
        "{% block b %}{% set inner = 'block' %}{{ looked_up('inner') }}{% endblock %}"
    )
    assert render(app, source, looked_up=looked_up, who="page") == "page|loop|block"


def test_pass_environment_and_eval_context_still_get_theirs(app):
    @pass_environment
    def environment_of(environment):
        return environment is app.jinja_env

    @pass_eval_context
    def escaping(eval_ctx):
        return eval_ctx.autoescape

    class Callable:
        @pass_environment
        def __call__(self, environment):
            return type(environment).__name__

    shown = render(
        app,
        "{{ environment_of() }} {{ escaping() }} {{ callable() }}",
        environment_of=environment_of,
        escaping=escaping,
        callable=Callable(),
    )
    assert shown == "True True Environment"


def test_a_stop_iteration_renders_as_undefined(app):
    def exhausted():
        raise StopIteration

    def method_exhausted():
        return next(iter(()))

    assert render(app, "[{{ a() }}][{{ b() }}]", a=exhausted, b=method_exhausted) == "[][]"


def test_other_errors_propagate(app):
    def broken():
        raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"):
        render(app, "{{ broken() }}", broken=broken)
