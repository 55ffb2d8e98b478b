"""The ground every package stands on: settings, configuration loading, private files.

It imports none of leadpipe's other packages, so that each of them can import it without an
arrow running back up the tree (docs/architecture.md).
"""
