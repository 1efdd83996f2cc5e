"""Front ends: the only package that imports chat-platform SDKs (slack_bolt, slack_sdk,
botbuilder). Each platform folder translates platform payloads to neutral turns and neutral
replies back to platform messages; `bot.cli` is the terminal front end.
"""
