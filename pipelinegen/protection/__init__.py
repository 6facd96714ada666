"""Branch protection as code: the policy the model states, the ruleset that enforces it, and the
comparison with what a GitHub repository enforces today.

All pure: `policy` and `ruleset` (emitters and validate rules use them), `live` (GitHub's
answers in the model's shape) and `scorecard`. The GitHub REST client is
pipelinegen.adapters.github, imported only by the commands that talk to GitHub.
"""
