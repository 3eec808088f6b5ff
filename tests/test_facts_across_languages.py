"""The same facts in every language: names, numbers and dates in `facts` agree.

A translator rewrites the sentences in their own language, but a number, a date or an
organisation's name must never change on the way. For each initiative and each fact
(by position) this compares, against the German text:
- the numbers (digits; "1." and "1" are the same day, order free: Hungarian puts the year first),
- the months named (each language's month names mapped to 1..12),
- the names: words written with a capital that the German and the English value share
  (e.g. "SAXONIA", "UFZ", "Mittweida") must appear in every other language too.
The place, and the name (German's or English's), are the same in every language.
"""

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from webapp.config import Defaults

CONTENT = Path(Defaults.CONTENT_FILE)
LANGUAGES = Defaults.LANGUAGES

# Month names as they appear in running text (with case endings), January first.
MONTHS = {
    "de": r"januar februar märz april mai juni juli august september oktober november dezember",
    "en": r"january february march april may june july august september october november"
    r" december",
    "pl": r"stycz\w* lut\w* mar(?:zec|ca|cu) kwie\w* maj[au]? czerw\w* lip(?:iec|ca|cu)"
    r" sierp\w* wrze\w* październik\w* listopad\w* grud\w*",
    "cs": r"led(?:en|na|nu) únor\w* břez\w* dub(?:en|na|nu) květ\w* (?:červen|června|červnu)"
    r" (?:červenec|července|červenci) srp\w* září říj(?:en|na|nu) listopad\w* prosin\w*",
    "hu": r"január\w* február\w* március\w* április\w* május\w* június\w* július\w* augusztus\w*"
    r" szeptember\w* október\w* november\w* december\w*",
    "ro": r"ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie"
    r" noiembrie decembrie",
}
NUMBER = re.compile(r"\d+(?:[.,]\d+)?(?!\d)")
WORD = re.compile(r"[^\W\d_]+")


def numbers(text: str) -> Counter:
    """Every number in the text, decimal commas as points, a date's trailing point dropped."""
    return Counter(n.replace(",", ".") for n in NUMBER.findall(text))


def months(text: str, lang: str) -> Counter:
    """The months the text names, as numbers 1..12."""
    found: Counter = Counter()
    for index, pattern in enumerate(MONTHS[lang].split(" "), start=1):
        found[index] += len(re.findall(rf"\b(?:{pattern})\b", text, flags=re.IGNORECASE))
    return +found


def names(text: str) -> set[str]:
    """Words with a capital letter in them (proper names, abbreviations), months excepted."""
    capitalised = {w for w in WORD.findall(text) if w != w.lower()}
    return {w for w in capitalised if not months(w, "de") and not months(w, "en")}


def initiatives() -> list[dict]:
    return tomllib.loads(CONTENT.read_text(encoding="utf-8"))["initiative"]


def test_the_month_patterns_know_every_month():
    for lang, patterns in MONTHS.items():
        assert len(patterns.split(" ")) == 12, lang


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "de"])
@pytest.mark.parametrize("item", initiatives(), ids=lambda item: item["slug"])
def test_facts_agree_with_the_german_text(item, lang):
    german, english, other = item["de"], item["en"], item[lang]
    assert other["place"] == german["place"]
    assert other["name"] in {german["name"], english["name"]}
    assert len(other["facts"]) == len(german["facts"]), "a fact is missing or added"
    for number, (de_fact, en_fact, fact) in enumerate(
        zip(german["facts"], english["facts"], other["facts"], strict=True), start=1
    ):
        where = f"{item['slug']}, fact {number} ({fact['label']}), {lang}"
        assert numbers(fact["value"]) == numbers(de_fact["value"]), where
        assert months(fact["value"], lang) == months(de_fact["value"], "de"), where
        shared = names(de_fact["value"]) & names(en_fact["value"])
        missing = shared - set(WORD.findall(fact["value"]))
        assert not missing, f"{where}: names missing: {sorted(missing)}"


def test_the_check_catches_a_changed_number_date_or_name():
    """The comparison is not vacuous: each kind of slip is noticed."""
    value = initiatives()[0]["de"]["facts"][2]["value"]  # "1. April 2019 (… März 2019)"
    assert numbers(value) != numbers(value.replace("2019", "2020", 1))
    assert months(value, "de") != months(value.replace("April", "Mai"), "de")
    assert months("1\u00a0kwietnia\u00a02019", "pl") == months(value.split("(")[0], "de")
    partners = initiatives()[0]["de"]["facts"][0]["value"]
    assert "SAXONIA" in names(partners) & names(initiatives()[0]["en"]["facts"][0]["value"])
