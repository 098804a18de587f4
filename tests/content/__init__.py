"""Tests of kb/content/."""
