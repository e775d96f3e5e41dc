"""Counts without following anyone: the links of an edition and the clicks on them, per hour."""
