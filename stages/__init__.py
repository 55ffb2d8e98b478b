"""The wiring between the warehouse and the pure packages: one module per pipeline stage.

A stage reads its predecessor's model (a `warehouse/` function), hands plain data to a pure
function (ingest, enrichment, matching, compliance, scoring), writes its own model and returns
a typed report. It sits above both, so neither needs to know the other; the CLI
(`leadpipe/cli`) calls stages directly and the Prefect flows in `flows/` wrap them in tasks.
"""
