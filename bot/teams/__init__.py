"""Microsoft Teams front end (Bot Framework SDK for Python).

Every `botbuilder` import in idgov lives in this folder: the SDK is archived upstream and the
Microsoft 365 Agents SDK may replace it one day, and that swap should touch only here.
"""
