"""Platform-neutral conversations: state machines that turn input into neutral replies.

A step never does I/O; `dialogs.service` loads and saves state around it. No module here
imports a chat-platform SDK.
"""
