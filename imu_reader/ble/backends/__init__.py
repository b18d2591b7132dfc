"""bleak backends of our own (bleak's platform backend is used otherwise)."""
