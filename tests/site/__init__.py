"""Tests of kb/site/."""
