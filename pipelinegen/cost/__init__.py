"""Cost: what each service costs a month on a pricing profile, what a change costs, where to save.

pricing (profiles and their rounding rules), estimate (per service and environment), actual
(OpenCost allocation exports), proposals (savings), report (CSV and table), delta (the review's
cost lines) and command (what `pipelinegen cost` runs). The model's cost keys are
core/cost_settings.py.
"""
