"""policybrief: policy briefs from checked facts.

The package is its pipeline, one folder a stage, and imports run only down this list:

    cli       the command line and the preview server
    build     plan, cache, PDF workers, staging and commit; ``build.pipeline.build()``
    output    PDF, Word and reference exports made from rendered pages
    render    pages in memory: prose, charts, notes, references, templates
    editions  what changed since a revision or an earlier build
    check     quotes prove figures, prose cites what exists, translations agree
    load      the project on disk into typed data, with file and line
    core      errors, the data model, languages; imports nothing of the package

``docs/internals.md`` draws the stages and argues the cut; ``tests/test_layout.py`` fails
on an import that runs up the list or in a circle.
"""

__version__ = "0.1.0"
