"""The grammar of figure expressions a quote is read with: the text as read (``text``),
numbers in digits and in words (``numbers``), hedges (``hedges``) and dates (``dates``), and
what a reading holds (``reading``). :mod:`policybrief.check.quotes` puts them together."""
