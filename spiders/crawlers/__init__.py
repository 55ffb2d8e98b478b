"""Spiders of the leadpipe crawl project (one file per spider)."""
