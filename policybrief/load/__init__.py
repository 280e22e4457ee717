"""Stage 1, load: the project on disk (settings, facts, sources, units, briefs, charts,
images, audiences, themes, catalogs) read into a frozen :class:`~policybrief.core.model.Project`,
every problem collected with its file and line. :func:`policybrief.load.project.load_project`
is the entry.
"""
