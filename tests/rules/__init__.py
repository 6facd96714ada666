"""One test module per validate rule: tests/rules/test_<rule id>.py (dashes as underscores)."""
