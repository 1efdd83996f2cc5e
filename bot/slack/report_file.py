"""The Full report as a file in Slack: the self-contained HTML page uploaded into the thread.

Slack's current upload flow (`files_upload_v2`: files.getUploadURLExternal, the bytes to the
upload URL, files.completeUploadExternal) shares the file into the conversation, so the
report can be downloaded, printed or forwarded to an auditor as it is. The app needs the
``files:write`` scope; an install from before it was added gets a short note instead, and the
report message itself (the point and the tasks) is already in the thread.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.cards.report import render_report
from bot.slack.delivery import call
from dialogs.replies import ReportReply

log = logging.getLogger(__name__)

NO_FILE = ("I could not attach the report file here (the app may need reinstalling for file "
           "uploads). `/idgov report {id}` sends it again; `idgov report {id} --format html` "
           "on the server writes it.")


def file_name(reply: ReportReply) -> str:
    return f"idgov-assessment-{reply.report.assessment_id}.html"


async def upload_report(client: AsyncWebClient, channel: str, thread: str | None,
                        reply: ReportReply) -> bool:
    """Upload the report's HTML into `channel` (under `thread`); True when shared."""
    html = render_report(reply.report, "html")
    title = f"Assessment {reply.report.assessment_id}: {reply.report.recommendation}"
    try:
        await client.files_upload_v2(channel=channel, thread_ts=thread, content=html,
                                     filename=file_name(reply), title=title)
        return True
    except (SlackApiError, SlackRequestError) as exc:
        error = (exc.response.data.get("error") if isinstance(exc, SlackApiError)
                 and isinstance(exc.response.data, dict) else type(exc).__name__)
        log.error("slack report upload failed: %s (channel=%s)", error, channel)
    except Exception as exc:  # network errors after the retry handlers gave up
        log.error("slack report upload failed: %s (channel=%s)", type(exc).__name__, channel)
    await call(client, "chat.postMessage", channel=channel, thread_ts=thread,
               text=NO_FILE.format(id=reply.report.assessment_id))
    return False
