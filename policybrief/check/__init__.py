"""Stage 2, check: every rule that needs the whole project, without rendering: quotes
prove their figures, prose cites what exists, translations say the same things.
:func:`policybrief.check.rules.check` is the entry.
"""
