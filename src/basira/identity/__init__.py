"""Sign-in through an organization's own identity provider (OpenID Connect), beside local passwords and TOTP."""
