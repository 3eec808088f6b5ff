"""One rule for comparing e-mail addresses (webapp/helpdesk/addresses.py).

The attacks on it through the site are in test_persons (forget, export, delete-all),
test_confirmation_limit (the daily cap per mailbox), test_status_lookup, test_admin_list
and test_admin_cli; here are the rule's edges, which those run through.
"""

import pytest
from hypothesis import assume
from hypothesis import given
from hypothesis import strategies as st

from webapp.helpdesk import addresses

R = "[removed]"


@pytest.mark.parametrize(
    ("typed", "normalised", "mailbox"),
    [
        (" Jana@Example.ORG\n", "jana@example.org", "jana@example.org"),
        ("ÖZIL.Probe@example.org", "özil.probe@example.org", "özil.probe@example.org"),
        ("O\u0308ZIL.Probe@example.org", "özil.probe@example.org", "özil.probe@example.org"),
        ("Straße@X.org", "strasse@x.org", "strasse@x.org"),
        ("Victim+0@Example.org", "victim+0@example.org", "victim@example.org"),
        ("a+b+c@example.org", "a+b+c@example.org", "a@example.org"),
        ("+only@example.org", "+only@example.org", "+only@example.org"),
    ],
)
def test_normalise_and_mailbox(typed, normalised, mailbox):
    assert addresses.normalise(typed) == normalised
    assert addresses.mailbox(typed) == mailbox


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jana@example.org", "jana@example.org"),  # the probe's case: a tail of another
        ("x.ana@example.org, ana_b@example.org", "x.ana@example.org, ana_b@example.org"),
        ("ana+x@example.org", "ana+x@example.org"),
        ("ana@example.org.uk ana@example.organic", "ana@example.org.uk ana@example.organic"),
        ("ana@example.org-x a@ana@example.org", "ana@example.org-x a@ana@example.org"),
        ("Mail ana@example.org.", f"Mail {R}."),
        ("<ANA@Example.org>, (ana@example.org); 'ana@example.org'", f"<{R}>, ({R}); '{R}'"),
        ("„ana@example.org“ mailto:ana@example.org", f"„{R}“ mailto:{R}"),
        ("ana@example.org\njana@example.org", f"{R}\njana@example.org"),
    ],
)
def test_only_a_whole_address_is_replaced(text, expected):
    assert addresses.replace_in_text(text, "Ana@example.org", R) == expected


def test_a_non_ascii_address_is_replaced_in_any_form():
    text = "ÖZIL.Probe@example.org, O\u0308zil.probe@EXAMPLE.org, xözil.probe@example.org"
    assert addresses.replace_in_text(text, "özil.probe@example.org", R) == (
        f"{R}, {R}, xözil.probe@example.org"
    )


@given(st.text(max_size=40), st.text(max_size=40))
def test_normalising_twice_changes_nothing(local, domain):
    address = f"{local}@{domain}"
    once = addresses.normalise(address)
    assert addresses.normalise(once) == once
    assert addresses.mailbox(addresses.mailbox(address)) == addresses.mailbox(address)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60))
def test_text_without_the_address_stays_as_it_is(text):
    """Whatever else a text holds, replacing an address it does not hold changes nothing."""
    assume("ana@example.org" not in addresses.normalise(text))
    assert addresses.replace_in_text(text, "ana@example.org", R) == text
