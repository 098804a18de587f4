"""The articles: seed metadata, the clean pages and their translations, the pages people write."""
