"""Programme years: the programme files loaded into the database, every version kept.

Layout (as in pretalx): ``models/`` holds thin models, ``domain/`` the logic.
"""
