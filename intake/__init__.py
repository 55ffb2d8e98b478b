"""Web-form intake: receives form submissions, runs the double opt-in, hands off to ingest.

Runs as its own process (`leadpipe serve`) and never opens the DuckDB warehouse, which the
nightly run may hold for minutes; its durable state is a SQLite file under the data dir.
"""
