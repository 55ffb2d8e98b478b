"""The form service's fixtures (a real service on a local port) for the reliability tests."""

from tests.intake.conftest import start_service  # noqa: F401  (a fixture, found by name)
