"""Rehearsals: the main job on embedded defaults, safe to run anywhere."""
