"""Self-contained briefs (load/ownparts.py): a brief's folder holds its own sources,
units and facts, found with no settings; ids stay unique across the project, and a
second definition is an error at its place naming the first (``path:line`` each)."""

from __future__ import annotations

from helpers import write_files

from policybrief.load.project import load_project

SOURCES = """\
sources:
  river-bulletin:
    file: bulletin.txt
    title: {zh: 公报, en: Bulletin, zh-Hant: 公報}
    author: {zh: 水务局, en: Water Bureau, zh-Hant: 水務局}
    publication: {zh: 公报, en: Bulletin, zh-Hant: 公報}
    year: 2025
    language: en
"""
UNITS = "units:\n  meter: {zh: 块水表, en: [meter, meters], zh-Hant: 塊水錶}\n"
FACTS = """\
facts:
  - id: river.meters
    value: 37
    unit: meter
    date: "2024"
    label: {zh: 新装水表, en: meters fitted, zh-Hant: 新裝水錶}
    source: river-bulletin
    quote: "In 2024 the bureau fitted 37 meters"
"""


def _with_parts(root, sources=SOURCES, units=UNITS, facts=FACTS):
    brief = "briefs/qiaotou"
    return write_files(
        root,
        {
            f"{brief}/sources.yaml": sources,
            f"{brief}/units.yaml": units,
            f"{brief}/facts.yaml": facts,
            f"{brief}/sources/bulletin.txt": "In 2024 the bureau fitted 37 meters in all.\n",
        },
    )


def test_a_briefs_own_sources_units_and_facts_join_the_project(fixture_project):
    from policybrief.check.rules import check

    project, problems = load_project(_with_parts(fixture_project))
    assert problems == []
    facts = project.facts
    assert facts.facts["river.meters"].source == "river-bulletin"
    assert facts.sources["river-bulletin"].file == "qiaotou/sources/bulletin.txt"
    assert facts.units["meter"].loc.path == "briefs/qiaotou/units.yaml"
    assert "qiaotou-case" in facts.sources and "cny" in facts.units  # the project's stay
    # the quote is proven from the brief's own text (a wrong value is caught there)
    assert [p for p in check(project) if p.severity == "error"] == []
    path = fixture_project / "briefs/qiaotou/facts.yaml"
    path.write_text(FACTS.replace("value: 37", "value: 38"), encoding="utf-8")
    project, _ = load_project(fixture_project)
    errors = [str(p) for p in check(project) if p.severity == "error"]
    assert any(
        e.startswith("briefs/qiaotou/facts.yaml:2: fact 'river.meters': value 38") for e in errors
    ), errors


def test_an_id_defined_twice_names_both_places(fixture_project):
    again_source = SOURCES.replace("river-bulletin:", "qiaotou-case:")
    again_unit = UNITS.replace("meter:", "cny:")
    again_fact = FACTS.replace("id: river.meters", "id: qiaotou.enterprises.2016").replace(
        "source: river-bulletin", "source: qiaotou-case"
    )
    root = _with_parts(fixture_project, again_source, again_unit, again_fact)
    _project, problems = load_project(root)
    shown = sorted(str(p) for p in problems if "duplicate" in p.message)
    sources = (root / "facts/sources.yaml").read_text(encoding="utf-8").splitlines()
    units = (root / "facts/units.yaml").read_text(encoding="utf-8").splitlines()
    facts = (root / "facts/qiaotou.yaml").read_text(encoding="utf-8").splitlines()
    first_source = sources.index("  qiaotou-case:") + 1
    first_unit = next(n for n, line in enumerate(units, 1) if line.startswith("  cny:"))
    first_fact = facts.index("  - id: qiaotou.enterprises.2016") + 1
    assert shown == [
        "briefs/qiaotou/facts.yaml:2: duplicate id 'qiaotou.enterprises.2016' "
        f"(first defined at facts/qiaotou.yaml:{first_fact})",
        "briefs/qiaotou/sources.yaml:2: duplicate source 'qiaotou-case' "
        f"(first defined at facts/sources.yaml:{first_source}; ids are unique across the project)",
        "briefs/qiaotou/units.yaml:2: duplicate unit 'cny' "
        f"(first defined at facts/units.yaml:{first_unit}; ids are unique across the project)",
    ]


def test_a_project_of_self_contained_briefs_needs_no_facts_folder(fixture_project):
    import shutil

    root = _with_parts(fixture_project)
    for name in ("sources.yaml", "units.yaml"):
        (root / "facts" / name).unlink()
    shutil.rmtree(root / "briefs" / "hexi")
    for path in (root / "facts").glob("*.yaml"):
        path.unlink()
    _project, problems = load_project(root)
    # qiaotou's prose still cites the facts that were in facts/: those are the only errors
    assert not any(p.path.startswith("facts/") for p in problems), problems
