"""`pipelinegen kpis`: the charter's delivery figures, read from a repository's GitHub history.

fetch.py reads workflow runs and deployments through the GitHub client of the branch-protection
commands (adapters/github.py), figures.py computes the figures from them (pure), render.py
prints them.
"""
