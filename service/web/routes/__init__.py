"""The moderator pages, one module per concern."""
