"""Non-human identity inventory: the record model, export parsers and gap evaluation.

Pure logic (no database, no platform SDK): `dialogs.inventory` orchestrates imports and
`storage.inventory` keeps the rows.
"""
