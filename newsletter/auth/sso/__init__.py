"""Single sign-on for editors through the organisation's OpenID Connect provider (Microsoft
Entra ID at VNG): login, roles from claims, multi-factor proof, back-channel logout.
docs/configuration.md#sso and docs/operations.md#sso-entra-id."""
