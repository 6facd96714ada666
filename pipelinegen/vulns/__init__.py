"""Vulnerabilities: the scan gate, its exceptions with an expiry, and the scanners' reports."""
