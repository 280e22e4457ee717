"""Stage 5, output: each kind of file made from a rendered page: PDF (WeasyPrint, with
the fonts cut to the project's characters), Word, and the reference-manager exports.
"""
