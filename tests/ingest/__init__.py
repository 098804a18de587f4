"""Tests of kb/ingest/."""
