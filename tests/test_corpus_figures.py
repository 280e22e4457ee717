"""The figure corpus (tests/corpus/figures/): real sentences from public pages, each with the
fact a careful analyst writes for it and errors planted into that fact. The corpus must be
well formed, and the fact check must do at least as well on it as it did when the corpus was
made: the floors below are the rates measured then, to be raised as the reader improves (the
issue's bars are 98 % accepted and 97 % caught). `python3 tests/corpus/figures/evaluate.py`
prints the table; `--write-report` rewrites REPORT.md."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter

import pytest
from helpers import ROOT

# Measured on the engine of commit 41aa094 at 70.0 / 58.3 / 97.6; raised to what the
# figure grammar of check/figures/ reaches (issue 23; the corpus's 512 items, 857 planted
# errors). Every quote is read: a month and day with no year take it from the source's date
# (check/figures/sourcedate.py), a date may be written in words.
BASELINE_ACCEPTED = 99.8  # % of the analysts' facts the check accepts
BASELINE_CAUGHT = 99.4  # % of planted errors flagged while the correct fact is accepted
BASELINE_READ = 100.0  # % of quotes the reader finds a figure in (a year, for a date fact)

MIN_ITEMS = 400


def _load_evaluate():
    path = ROOT / "tests" / "corpus" / "figures" / "evaluate.py"
    spec = importlib.util.spec_from_file_location("figure_corpus_evaluate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


evaluate = _load_evaluate()


@pytest.fixture(scope="module")
def items():
    return evaluate.load_corpus()


@pytest.fixture(scope="module")
def results(items):
    return evaluate.evaluate(items)


def test_the_corpus_is_well_formed(items):
    assert evaluate.problems_of(items, evaluate.load_units()) == []
    assert len(items) >= MIN_ITEMS
    for item in items:
        assert item["address"].startswith(("http://", "https://")), item["id"]
        assert item["fact"]["value"] is not None, item["id"]
        assert item["planted"], item["id"]
    quotes = Counter("".join(item["quote"].split()) for item in items)
    assert [q for q, n in quotes.items() if n > 1] == []


def test_every_language_genre_and_kind_is_there_several_times(items):
    langs = Counter(item["lang"] for item in items)
    assert all(langs[lang] >= 60 for lang in evaluate.LANGS), langs
    genres = Counter(item["genre"] for item in items)
    assert all(genres[genre] >= 5 for genre in evaluate.GENRES), genres
    kinds = Counter(kind for item in items for kind in item["kinds"])
    assert {kind: kinds[kind] for kind in evaluate.kinds_list() if kinds[kind] < 2} == {}
    planted = Counter(plant["kind"] for item in items for plant in item["planted"])
    assert {k: planted[k] for k in evaluate.planted_kinds_list() if planted[k] < 2} == {}


def test_the_check_does_no_worse_than_its_baseline(results):
    overall = evaluate.rates(results)["all"]
    shown = evaluate.report(results, with_failures=False)
    assert overall.accepted_rate >= BASELINE_ACCEPTED, shown
    assert overall.caught_rate >= BASELINE_CAUGHT, shown
    assert overall.read_rate >= BASELINE_READ, shown
