"""The Litestar application: configuration, routes, templates, errors, the clock task."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from jinja2 import FileSystemLoader, select_autoescape
from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import ResponseHeader, State
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from inmc_vote import __version__
from inmc_vote.config import LIMITS, ConfigurationError, Settings
from inmc_vote.db.engine import Database
from inmc_vote.services import queries
from inmc_vote.services.actions.reminders import send_due_reminders
from inmc_vote.services.actions.schedule import catch_up_all
from inmc_vote.services.security import sign
from inmc_vote.web import auth, deps, error_context, i18n, log_redaction, pages
from inmc_vote.web.api.audit import AuditApi
from inmc_vote.web.api.ballots import BallotsApi, lifecycle_api
from inmc_vote.web.api.candidacies import CandidaciesApi, PortalApi
from inmc_vote.web.api.ceremony import CeremonyApi, ceremony_messages_api
from inmc_vote.web.api.cities import CitiesApi
from inmc_vote.web.api.mixing import MixApi
from inmc_vote.web.api.openapi import document_problems
from inmc_vote.web.api.results import ResultsApi
from inmc_vote.web.api.roll_upload import RollUploadApi
from inmc_vote.web.api.voting import VotingApi
from inmc_vote.web.errors import EXCEPTION_HANDLERS
from inmc_vote.web.pages.audit import AuditPages
from inmc_vote.web.pages.common import provide_ballot_page
from inmc_vote.web.params import refuse_control_characters
from inmc_vote.web.security_headers import SECURITY_HEADERS
from inmc_vote.web.templating import TemplateEnvironment, install_filters
from inmc_vote.web.verifier_download import VerifierDownload

log = logging.getLogger("inmc_vote")
SCHEDULE_EVERY_S = 15.0
REMINDERS_EVERY_S = 60.0


WEB = Path(__file__).resolve().parent
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"


def templates() -> TemplateConfig:
    environment = TemplateEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # One environment serves every request: the callables read the request's language.
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n._,
        ngettext=i18n.ngettext,
        pgettext=i18n.pgettext,
        npgettext=i18n.npgettext,
        newstyle=True,
    )
    install_filters(environment)
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


async def _run_schedule(app: Litestar) -> None:
    while True:
        try:
            await catch_up_all(app.state.db, app.state.clock())
        except Exception:  # keep the clock going; the next write catches up anyway
            log.exception("the scheduled transitions failed")
        await asyncio.sleep(SCHEDULE_EVERY_S)


async def _run_reminders(app: Litestar, settings: Settings) -> None:
    """Send the reminders that fall due (each once: `actions.reminders` claims it)."""
    while True:
        try:
            await send_due_reminders(app.state.db, settings, app.state.clock())
        except Exception:  # a mail server down: the next round tries the unclaimed ones
            log.exception("sending the reminders failed")
        await asyncio.sleep(REMINDERS_EVERY_S)


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    clock: deps.Clock = deps.system_clock,
    run_schedule: bool = True,
) -> Litestar:
    settings = settings or Settings.from_env()
    csrf_secret = sign(settings.secret_key, "inmc-vote/csrf/v1", "")
    log_redaction.install()  # no credential, tracker or portal secret in any log line

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        owned = database is None
        app.state.db = database or Database(settings.database_url, at_rest_key=settings.secret_key)
        # Refuse to serve rather than answer 500 to every cast (InvalidTag) later.
        if problem := await queries.keys.secret_key_problem(
            app.state.db, settings.secret_key_source
        ):
            if owned:
                await app.state.db.dispose()
            raise ConfigurationError(problem)
        tasks = []
        if run_schedule:
            tasks.append(asyncio.create_task(_run_schedule(app)))
            if settings.smtp is not None:
                tasks.append(asyncio.create_task(_run_reminders(app, settings)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if owned:
                await app.state.db.dispose()

    app = Litestar(
        route_handlers=[
            CitiesApi,
            BallotsApi,
            lifecycle_api,
            ResultsApi,
            MixApi,
            AuditApi,
            CandidaciesApi,
            PortalApi,
            CeremonyApi,
            ceremony_messages_api,
            # One router for both: Litestar refuses two controllers that share a path
            # (GET and POST .../roll) when they are registered on the app one by one.
            Router(path="/", route_handlers=[VotingApi, RollUploadApi]),
            *pages.ROUTES,
            AuditPages,
            VerifierDownload,
            create_static_files_router(
                path="/static", directories=[STATIC], include_in_schema=False
            ),
        ],
        dependencies={
            "db": Provide(deps.provide_db, sync_to_thread=False),
            "settings": Provide(deps.provide_settings, sync_to_thread=False),
            "now": Provide(deps.provide_now, sync_to_thread=False),
            "actor": Provide(auth.actor),
            "at": Provide(provide_ballot_page, sync_to_thread=False),
        },
        state=State({"settings": settings, "clock": clock, "csrf_secret": csrf_secret}),
        lifespan=[lifespan],
        template_config=templates(),
        csrf_config=CSRFConfig(
            secret=csrf_secret,
            exclude=["^/api/"],
            cookie_secure=settings.secure_cookies,
            cookie_samesite="strict",
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        after_exception=[error_context.remember],  # the error page's reader and ballot
        before_request=refuse_control_characters,
        middleware=[i18n.LanguageMiddleware()],  # the request's language, before all else
        response_headers=[ResponseHeader(name=k, value=v) for k, v in SECURITY_HEADERS.items()],
        openapi_config=OpenAPIConfig(
            title="inmc-vote",
            version=__version__,
            description=(
                "The host-city ballot of an international network of cities. Organiser "
                "calls take `Authorization: Bearer <api key>` (or the session cookie with "
                "the x-csrftoken header); public reads need neither. Errors are problem "
                "details (RFC 9457) whose `detail` says what is wrong in plain words, in "
                "French or English as `Accept-Language` (or `?lang=fr|en`) asks."
            ),
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
        ),
        # errors.handle logs each answer: a 4xx in one line at INFO, a 5xx with its traceback
        logging_config=LoggingConfig(log_exceptions="never"),
        request_max_body_size=LIMITS.other_body_bytes,
    )
    document_problems(app.openapi_schema)  # every refusal's problem detail, in the OpenAPI
    return app
