"""Stage 7, the command line: arguments, the live preview server, the skeletons of ``new``.
The only place that prints; ``build.py`` at the project root calls
:func:`policybrief.cli.main.main`.
"""
