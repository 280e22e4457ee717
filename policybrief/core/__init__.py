"""The vocabulary every stage shares: the error model, the typed data passed between
stages, languages and Babel formatting, and the HTML parser. Imports nothing else of
the package.
"""
