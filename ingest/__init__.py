"""Readers for purchased lists and web-form exports: pure parsing, no warehouse access.

`ingest.prepare.prepare_list` turns a CSV/TSV/XLSX list into a normalised CSV plus its
column mapping; `ingest.forms.read_form_export` turns a form tool's export into submissions
with consent events. Both raise `ingest.errors.InputFileError` for unusable files. See
docs/ingest.md.
"""
