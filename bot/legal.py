"""The privacy statement and terms of use, served at the URLs the Teams package names
(``/idgov/privacy``, ``/idgov/terms`` under the bot's public URL: `bot.teams.package`).

Microsoft requires both URLs in a Teams app manifest; they answered 404. The text is the
README's "Data" section in short: what idgov keeps, for how long, and how a workspace's data
is deleted. An operator who publishes their own pages points the manifest at those instead
(``manifest/teams/manifest.json``).
"""

from __future__ import annotations

from aiohttp import web

PRIVACY = """idgov privacy statement

idgov is run by your organisation (the operator) on its own servers and database. It keeps:

- assessment answers and recommendations, follow-up tasks with their owners, due dates and
  full change history (audit evidence), and the reminders sent for them: until the operator
  deletes the workspace's data;
- questions asked of the knowledge base and the votes on answers: until deleted likewise;
- an assessment in progress: it expires after 24 hours idle (IDGOV_CONVERSATION_TTL_HOURS);
- user profile details used for reminders (display name, email, time zone) and, for Teams,
  the conversation reference needed to message a user: until deleted;
- Slack installation tokens: until the app is uninstalled or its tokens revoked, when they
  are deleted at once and reminders to that workspace stop;
- ids of processed platform events: two days, then pruned.

Nothing is sent anywhere but the Slack or Microsoft Teams workspace it came from. No
message content other than the above is stored, and no token or password appears in logs.

To have a workspace's data deleted, ask the operator, who runs
`idgov data delete slack:TEAM_ID --yes` (or teams:TENANT_ID).
"""

TERMS = """idgov terms of use

idgov gives guidance on choosing between ISO/IEC 27001 and SOC 2 for identity and
non-human-identity programmes, and tracks follow-up tasks. Its answers cite their sources
and are not legal, audit or certification advice; confirm decisions with your auditor or
certification body. The service is provided by your organisation's operator as is, under
your organisation's own acceptable-use policy. Data handling: see /idgov/privacy.
"""

PRIVACY_PATH = "/idgov/privacy"
TERMS_PATH = "/idgov/terms"


async def _privacy(_request: web.Request) -> web.Response:
    return web.Response(text=PRIVACY, content_type="text/plain", charset="utf-8")


async def _terms(_request: web.Request) -> web.Response:
    return web.Response(text=TERMS, content_type="text/plain", charset="utf-8")


def setup_legal(app: web.Application) -> None:
    app.router.add_get(PRIVACY_PATH, _privacy)
    app.router.add_get(TERMS_PATH, _terms)
