"""The outside world: git, processes, a Docker engine, OCI registries and the GitHub REST API.

Only the commands and features that talk to the outside import these; emit and generation never
do (a contract in pyproject.toml), so `generate` and `check` read nothing but the disk.
"""
