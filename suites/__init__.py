"""Test suites that plug into the harness through the `assure.suites` entry point group."""
