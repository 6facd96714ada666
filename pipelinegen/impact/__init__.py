"""What a change requires: the services it affects, and whether a service needs a new
image or only a redeploy.
"""
