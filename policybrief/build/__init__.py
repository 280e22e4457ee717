"""Stage 6, the build: which outputs to make (plan), which are out of date (cache), PDFs in
worker processes, and the staging folder that replaces all files or none.
:func:`policybrief.build.pipeline.build` reads top to bottom as the list of stage calls.
"""
