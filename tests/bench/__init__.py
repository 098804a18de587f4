"""Tests of kb/bench/."""
