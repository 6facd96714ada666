"""Shared domain code of the Printloop services: pricing and order validation."""
