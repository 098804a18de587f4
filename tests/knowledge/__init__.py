"""Tests of kb/knowledge/."""
