"""Pipeline stages as plain functions: ingest, crawl, enrich, match, decide, score, export.

Each stage opens the warehouse, does its work in one transaction and returns a report. The
CLI calls them directly; the Prefect flows in `flows/` wrap them in tasks.
"""
