"""Fault injection, bad input, erasure residue, permissions: the promises of issue #20."""
