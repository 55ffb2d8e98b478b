"""The ground every package stands on: settings, configuration loading, vocabulary, private
files, child processes, progress reporting and output paths.

It imports none of leadpipe's other packages, so that each of them can import it without an
arrow running back up the tree (docs/architecture.md; tests/test_layers.py keeps it so).
"""
