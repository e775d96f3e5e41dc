"""The JSON API under /api/v1 for VNG's other systems: keys, scopes, problem+json, OpenAPI."""
