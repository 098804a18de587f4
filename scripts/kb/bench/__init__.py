"""Benchmark: build a synthetic knowledge base of N articles and measure the build.

``make_corpus`` writes a complete project (seeds, metadata, English
translations, entities, events and glossary) whose text is generated from
word pools drawn from the real Vietnamese and English articles. ``run``
builds it the way ``kb build`` does, builds the "floor" (the same Markdown
with our generation step already done, by plain MkDocs) and reports times,
peak memory and sizes as a Markdown table.

Usage: kb bench --sizes 100,1000,5000 [--workdir DIR] [--keep] [--out FILE]
"""
