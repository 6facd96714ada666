"""Branch protection as code: the policy the model states, the ruleset that enforces it, and the
comparison with what a GitHub repository enforces today.

`policy` and `ruleset` are pure (emitters and validate rules use them); `github` and `live` talk
to the GitHub REST API and are imported only by the commands that need it
(pipelinegen.commands.branch_protection, pipelinegen.commands.kpis).
"""
