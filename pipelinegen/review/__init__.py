"""Review of a change: what a services.yaml change does to each service and its generated files.

`pipelinegen diff --base REF` builds the plan of the model at REF and the plan of the working tree
(or of `--head`), and reports per service the model fields that changed, the generated files that
change with their unified diffs, and generated files that disagree with the model (drift).
"""
