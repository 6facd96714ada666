"""The outside world: git, processes, a Docker engine, OCI registries and the GitHub
REST API. Nothing below this package talks to anything but the disk.
"""
