"""Public archive of sent editions: web versions without personal links, and an Atom feed."""
