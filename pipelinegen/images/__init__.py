"""Building the services' images with a Docker engine, and the smoke test of each.
"""
