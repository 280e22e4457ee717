"""Stage 4, render: the project into pages in memory (HTML strings), never touching the
file system: prose with its fact calls, charts as SVG, notes and references, the
audience's template, and the check of what a page may load.
"""
