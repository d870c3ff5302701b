"""Heard's web app: the one place that wires forms, models and analysis together."""

import base64
from typing import Any

from flask import Flask
from flask_babel import format_date, gettext
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import (
    access,
    auth,
    branding,
    db,
    errors,
    extensions,
    follow_ups,
    i18n,
    logs,
    printing,
    public,
    queue,
    respond,
    resume,
    security,
    settings,
    staff,
    staff_agreement,
    staff_analysis,
    staff_codebooks,
    staff_discovery,
    staff_forms,
    staff_plan_actions,  # noqa: F401  (adds the action pages to staff_plans.bp)
    staff_plan_evidence,  # noqa: F401  (adds the evidence pages to staff_plans.bp)
    staff_plans,
    staff_review,
    staff_safeguarding,
    staff_scorecard,  # noqa: F401  (adds the scorecard to staff_plans.bp)
    staff_survey_imports,
    staff_survey_results,
    staff_surveys,
    staff_yswd,
    survey_links,
    symbols,
    template_cache,
    yswd_public,
    yswd_view,
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build a configured Heard app; values in `config` win over the environment."""
    app = Flask(__name__, instance_relative_config=False)
    _configure(app, config)
    _set_up_templates(app)
    _init_extensions(app)
    _register_blueprints(app)
    _add_template_helpers(app)
    return app


def _configure(app: Flask, config: dict[str, Any] | None) -> None:
    """Settings from the environment, then `config`; checked, and proxies trusted if asked."""
    app.config.from_mapping(settings.from_environment())
    if config:
        app.config.from_mapping(config)
    settings.finalise(app.config)
    settings.check(app.config)
    proxies = app.config["HEARD_TRUSTED_PROXIES"]
    if proxies:
        # Behind a load balancer, take the client's address and scheme from the
        # proxies we trust, so rate limits count people, not the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def _set_up_templates(app: Flask) -> None:
    """Heard's templates first, then GOV.UK Frontend's (by prefix), then the forms'."""
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("webapp"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
            PackageLoader("forms"),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.bytecode_cache = template_cache.TEMPLATES


def _init_extensions(app: Flask) -> None:
    """Logging, the database and Flask's extensions, in the order they depend on each other."""
    logs.init_app(app)
    db.init_app(app)
    extensions.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    access.init_app(app)
    errors.init_app(app)
    branding.init_app(app)
    queue.init_app(app)
    WTFormsHelpers(app)


def _register_blueprints(app: Flask) -> None:
    """Every page, public and staff."""
    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(staff_forms.bp)
    app.register_blueprint(staff_safeguarding.bp)
    app.register_blueprint(staff_analysis.bp)
    app.register_blueprint(staff_codebooks.bp)
    app.register_blueprint(staff_discovery.bp)
    app.register_blueprint(staff_review.bp)
    app.register_blueprint(staff_agreement.bp)
    app.register_blueprint(staff_surveys.bp)
    app.register_blueprint(staff_plans.bp)
    app.register_blueprint(staff_survey_results.bp)
    app.register_blueprint(staff_survey_imports.bp)
    app.register_blueprint(survey_links.bp)
    app.register_blueprint(respond.bp)
    app.register_blueprint(resume.bp)
    app.register_blueprint(symbols.bp)
    app.register_blueprint(printing.bp)
    app.register_blueprint(staff_yswd.bp)
    app.register_blueprint(follow_ups.bp)
    app.register_blueprint(yswd_public.bp)


def _add_template_helpers(app: Flask) -> None:
    """The filters and functions templates call."""
    app.add_template_filter(gettext, "translate")
    app.add_template_filter(format_date, "format_date")
    app.add_template_filter(i18n.language_of, "written_in")
    app.add_template_filter(i18n.ltr_numbers, "ltr_numbers")
    app.add_template_global(yswd_view.changes_for, "changes_for")
    app.add_template_global(symbols.question_symbol_url, "question_symbol_url")
    app.add_template_global(yswd_view.public_url, "yswd_public_url")
    app.add_template_filter(lambda data: base64.b64encode(data).decode("ascii"), "b64encode")
