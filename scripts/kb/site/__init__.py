"""The pages: the MkDocs hook, generated pages, rendering, the page worker and kb build/serve."""
