"""policybrief: policy briefs from checked facts.

Stages (one module each): load (facts, briefs, templates) -> check -> render -> write.
`policybrief.build.build()` runs them in order; `build.py` at the project root is a thin
command-line entry that calls `policybrief.cli.main`.
"""

__version__ = "0.1.0"
