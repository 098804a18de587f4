"""Tests of kb/search/."""
