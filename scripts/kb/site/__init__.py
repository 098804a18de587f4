"""The pages: the MkDocs hook, generated pages, rendering, finishing each page and kb build/serve."""
