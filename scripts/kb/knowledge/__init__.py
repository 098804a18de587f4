"""The knowledge in data/: topics, entities, events and glossary terms, and where articles mention them."""
