"""Stage 3, editions: what changed between an earlier state of the project and now
(a git revision or an earlier build's snapshot), and what a build shows of it: revision
boxes, fact histories, drafts, publication folders.
"""
