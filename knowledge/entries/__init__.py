"""The shipped knowledge pack: one YAML file per topic, each a list of Q&A entries.

A package (not a bare folder) so setuptools ships the YAML files as package data.
"""
