"""`pipelinegen init`: scan an existing repository and write a first services.yaml.

detect finds projects by their manifests, ports and links add what the code and the deploy files
say, scan turns them into services with a reason for every guess, render writes the YAML with
those reasons as comments, and command validates it and writes it (never over a file).
"""
