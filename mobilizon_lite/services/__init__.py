"""Domain actions, one module per area; the only writers of multi-row changes."""
