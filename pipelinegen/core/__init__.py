"""The model and what it is made of: loading services.yaml, its checks of references,
the paths of the generated layout, errors, YAML, and the inputs the emitters read.
"""
