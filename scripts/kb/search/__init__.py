"""The search index: Pagefind over both languages' built sites."""
