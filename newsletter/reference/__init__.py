"""Reference data: the 342 municipalities."""
