"""The access matrix: every URL pattern of the project, visited anonymously and in every role.

The URL configuration is walked (``get_resolver()``, includes and Wagtail's admin included), a
concrete URL is built for every pattern from objects this module creates (a case, a reward claim,
a page, an image ...) or from a dummy that still reaches the permission check, and each visitor
GETs it with its own client. The outcome must match the row DECLARED for the pattern in
``ACCESS`` below. A URL pattern without a row fails ``test_every_url_pattern_has_a_row``: declare
who may open a new screen before shipping it.

Outcomes:
- ``ok``: 2xx, or a redirect to anything but the sign-in page or a "permission denied" message;
- ``public``: ``ok`` for anonymous visitors (public rows are not visited again signed in);
- ``login``: a redirect to the sign-in page;
- ``access-code``: a redirect to the tracking form, where a resident proves the access code;
- ``denied``: 403, 404 (the object is hidden from this visitor), or Wagtail's redirect to the
  dashboard with an error message (how the admin answers PermissionDenied);
- ``post-only``: 405 on GET. We never POST here; the POST checks of these views are tested in
  tests/complaints/backoffice/. A view that checks its permission before the method still answers
  ``denied`` to the wrong roles, and that is what its row says;
- ``unchecked``: not visited in that role. Used only for Wagtail's own screens, whose permissions
  are Wagtail's business: their rows still say that anonymous visitors must sign in.

Two-factor enforcement is off in tests (tests/conftest.py) and the clients sign in with
``force_login`` (axes counts failed passwords).
"""

import fnmatch
import re
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import timezone
from django.utils.regex_helper import normalize

from complaints.models import (
    DataExport,
    Department,
    DepartmentMembership,
    Holiday,
    IdentityErasure,
    PiiAccess,
    ResponseTemplate,
    RewardExclusion,
    RoutingRule,
    SatisfactionResponse,
)
from indicators.models import ScoreWeights
from portal import roles
from tests.complaints import conftest as complaints_conftest
from tests.complaints.conftest import jpeg_bytes, photo
from tests.support.cases import submit
from tests.support.factories import report_walk
from tests.support.rewards import close, dumping, fund, inform, rule
from tests.support.rewards_admin import NAME, PHONE

# The complaints tests' fixtures: the demo taxonomy and grid; SMS to memory, a cache per test.
reference_data = complaints_conftest.reference_data
complaints_settings = complaints_conftest.complaints_settings

OK, PUBLIC, LOGIN, DENIED = "ok", "public", "login", "denied"
ACCESS_CODE, POST_ONLY, UNCHECKED = "access-code", "post-only", "unchecked"

ANONYMOUS, SUPERUSER = "anonymous", "superuser"
STAFF = list(roles.ROLES)
VISITORS = [ANONYMOUS, *STAFF, SUPERUSER]

INTAKE, HANDLER, SUPERVISOR = roles.INTAKE_OPERATOR, roles.DEPARTMENT_HANDLER, roles.SUPERVISOR
OFFICER, APPROVER, AUDITOR = roles.REWARD_OFFICER, roles.REWARD_APPROVER, roles.AUDITOR
EDITOR, MODERATOR = roles.PUBLICITY_EDITOR, roles.PUBLICITY_MODERATOR
INSPECTIONS = roles.INSPECTION_MANAGER
INSPECTOR = roles.INSPECTOR
CONTRACTOR = roles.CONTRACTOR
CASE_ROLES = (INTAKE, HANDLER, SUPERVISOR)
REWARD_ROLES = (OFFICER, APPROVER, AUDITOR)


# --- the row builders -------------------------------------------------------------------


def public() -> dict[str, str]:
    """Open to anonymous visitors; not visited again signed in (signing in takes nothing away)."""
    return {ANONYMOUS: PUBLIC, **dict.fromkeys([*STAFF, SUPERUSER], UNCHECKED)}


def only(*allowed: str, outcome: str = OK, superuser: str | None = None) -> dict[str, str]:
    """Sign-in required; ``allowed`` roles (and the superuser) get ``outcome``, the rest denied."""
    row = {role: outcome if role in allowed else DENIED for role in STAFF}
    return {ANONYMOUS: LOGIN, **row, SUPERUSER: superuser or outcome}


def signed_in(outcome: str = OK) -> dict[str, str]:
    """Any signed-in member of staff (every role holds wagtailadmin.access_admin)."""
    return only(*STAFF, outcome=outcome)


def wagtail() -> dict[str, str]:
    """Wagtail's own screen: its permissions are Wagtail's business; anonymous must sign in."""
    return {ANONYMOUS: LOGIN, **dict.fromkeys([*STAFF, SUPERUSER], UNCHECKED)}


def anonymous_only(outcome: str) -> dict[str, str]:
    return {ANONYMOUS: outcome, **dict.fromkeys([*STAFF, SUPERUSER], UNCHECKED)}


def viewset(namespace: str, **actions: dict[str, str]) -> dict[str, dict[str, str]]:
    """Rows for the URL names of one admin viewset: ``index=only(...)``, ``edit=...``."""
    return {f"{namespace}:{action}": row for action, row in actions.items()}


def snippet(model: str, chooser: dict[str, str], **actions: dict[str, str]) -> dict:
    """A complaints snippet: its viewset rows, one row for its chooser's views, and the
    chooser's "create" (a POST form; Wagtail checks the add permission first)."""
    return {
        **viewset(f"wagtailsnippets_complaints_{model}", **actions),
        f"wagtailsnippetchoosers_complaints_{model}:create": actions["add"],
        f"wagtailsnippetchoosers_complaints_{model}:*": chooser,
    }


# Wagtail's snippet chooser lists a model to anyone in the admin so that any form can pick a
# row (a supervisor's routing rule picks a category): Wagtail's business. Models no form picks and
# that hold personal data use complaints.shared.admin_choosers.ReadersOnlyChooserViewSet instead, and
# their rows are checked in every role.
ANY_STAFF_CHOOSER = wagtail()


def nobody_but_superuser() -> dict[str, str]:
    return only()


def closed_to_roles() -> dict[str, str]:
    """No role holds a permission here; the superuser holds them all and is not visited (its
    screens are Wagtail's generic ones, and slow: long listings, every permission of a group)."""
    return only(superuser=UNCHECKED)


def nobody() -> dict[str, str]:
    """Refused to everyone, the superuser included (a read-only or no-delete policy)."""
    return only(superuser=DENIED)


# --- the declared table -----------------------------------------------------------------
# Exact keys ("namespace:name", or the route of an unnamed pattern) first, then glob keys in
# the order written. Expectations come from portal/roles.py (the permissions each role holds)
# and the checks in complaints/admin/*.py, complaints/casefeed/admin_views.py and
# portal/admin_security.py.

ACCESS: dict[str, dict[str, str]] = {
    # --- the public site and machine APIs ---
    "healthz": public(),
    "sitemap": public(),
    "set_language": public(),
    "search": public(),
    "news_feed_rss": public(),
    "news_feed_atom": public(),
    "wagtail_serve": public(),
    "complaints:report_create": public(),
    "complaints:track": public(),
    "complaints:report_list": public(),
    "complaints:report_map_data": public(),
    "complaints:grid_geojson": public(),
    "complaints:informant_report_create": public(),
    "complaints:informant_follow_up": public(),
    # Shows the receipt code once, to the browser that filed; anyone else is sent to the form.
    "complaints:informant_receipt": public(),
    "complaints:reward_transparency": public(),
    "indicators:performance": public(),  # the public performance page (indicators/public.py)
    # Pages of one report: only for the browser that filed it or proved the access code.
    "complaints:report_receipt": dict.fromkeys(VISITORS, DENIED),
    "complaints:support_done": dict.fromkeys(VISITORS, DENIED),
    "complaints:report_status": dict.fromkeys(VISITORS, ACCESS_CODE),
    "complaints:report_photo": dict.fromkeys(VISITORS, DENIED),
    "complaints:report_rate": dict.fromkeys(VISITORS, ACCESS_CODE),
    "complaints:rating_done": dict.fromkeys(VISITORS, DENIED),
    "complaints:rating_link": dict.fromkeys(VISITORS, DENIED),
    # Open311 GeoReport v2 server: public reads (writes need an API key, tested in open311/).
    "open311:*": public(),
    # Anything else under open311/v2/: a GeoReport error document with 404.
    "open311/v2/^.*\\.xml$": dict.fromkeys(VISITORS, DENIED),
    "open311/v2/^.*$": dict.fromkeys(VISITORS, DENIED),
    # Case-system callbacks are signed POSTs; the media link needs a signed token.
    "casefeed:callback": dict.fromkeys(VISITORS, POST_ONLY),
    "casefeed:media": dict.fromkeys(VISITORS, DENIED),
    "wagtaildocs_serve": public(),
    "wagtaildocs_authenticate_with_password": dict.fromkeys(VISITORS, DENIED),
    "wagtailcore_authenticate_with_password": dict.fromkeys(VISITORS, DENIED),
    "wagtailcore_login": public(),
    # --- the admin's own public doors: sign-in, password reset, assets ---
    "wagtailadmin_login": anonymous_only(OK),
    "wagtailadmin_password_reset": anonymous_only(OK),
    "wagtailadmin_password_reset_done": anonymous_only(OK),
    "wagtailadmin_password_reset_confirm": anonymous_only(OK),
    "wagtailadmin_password_reset_complete": anonymous_only(OK),
    "wagtailadmin_javascript_catalog": anonymous_only(OK),
    "wagtailadmin_sprite": anonymous_only(OK),
    # --- portal's sign-in security (portal/admin_security.py) ---
    "portal_two_factor": signed_in(),
    "portal_two_factor_verify": signed_in(),
    "portal_two_factor_setup": signed_in(),
    # Lock-outs and second factors of other people: the superuser's business.
    "portal_sign_in_security": nobody_but_superuser(),
    # --- the case back office (complaints/backoffice/cases.py): case roles only; a handler sees
    # the cases of their own department (the case used here is dispatched to it) ---
    "complaints_case": only(*CASE_ROLES),
    "complaints_case_photo": only(*CASE_ROLES),
    "complaints_case_reveal": only(*CASE_ROLES, outcome=POST_ONLY),
    "complaints_case_callback": only(*CASE_ROLES, outcome=POST_ONLY),
    "complaints_hotline": only(INTAKE),
    "complaints_routing_preview": only(INTAKE, SUPERVISOR),
    **viewset(
        "cases-triage", index=only(INTAKE, SUPERVISOR), index_results=only(INTAKE, SUPERVISOR)
    ),
    **viewset("cases-department", index=only(HANDLER), index_results=only(HANDLER)),
    **viewset("cases-verification", index=only(SUPERVISOR), index_results=only(SUPERVISOR)),
    **viewset("cases-overdue", index=only(*CASE_ROLES), index_results=only(*CASE_ROLES)),
    **viewset("cases-reopen", index=only(SUPERVISOR), index_results=only(SUPERVISOR)),
    **viewset("cases-all", index=only(*CASE_ROLES), index_results=only(*CASE_ROLES)),
    # --- case-system feed and Open311 keys: no role holds their permissions ---
    "casefeed_health": nobody_but_superuser(),
    # --- performance statistics (indicators/): indicators.view_statistics ---
    "indicators_statistics": only(SUPERVISOR, AUDITOR),
    # Hot spots (indicators/hotspot_views.py): seen with the statistics; supervisors attach
    # them to campaigns and take them off (indicators.add/delete_hotspotcampaign).
    "indicators_hotspots": only(SUPERVISOR, AUDITOR),
    "indicators_hotspot": only(SUPERVISOR, AUDITOR),
    "indicators_hotspot_attach": only(SUPERVISOR, outcome=POST_ONLY),
    "indicators_hotspot_detach": only(SUPERVISOR, outcome=POST_ONLY),
    # Monthly bulletins (indicators/bulletin_views.py): indicators.view_bulletin; a POST to the
    # list (make one) needs indicators.add_bulletin (tests/indicators/test_bulletin.py).
    "indicators_bulletins": only(SUPERVISOR, AUDITOR),
    "indicators_bulletin_print": only(SUPERVISOR, AUDITOR),
    "indicators_bulletin_pdf": only(SUPERVISOR, AUDITOR),
    **viewset(
        "score_weights",
        index=only(SUPERVISOR, AUDITOR),
        index_results=only(SUPERVISOR, AUDITOR),
        inspect=only(SUPERVISOR, AUDITOR),
        add=only(),  # administrators only
        # Versions are never edited or deleted, not even by the superuser.
        edit=nobody(),
        delete=nobody(),
        # Wagtail: history needs add, change or delete; usage needs change.
        history=only(),
        history_results=only(),
        usage=nobody(),
    ),
    # --- third-party inspections (inspections/viewsets.py): the 督查管理 role manages objects
    # and standards (an unused standard here; a used one is never edited, tests/inspections/)
    # and reads the inspections, which nobody adds, edits or deletes in the admin ---
    **viewset(
        "inspection_objects",
        **dict.fromkeys(
            (
                "index",
                "index_results",
                "add",
                "edit",
                "delete",
                "history",
                "history_results",
                "usage",
                "inspect",
            ),
            only(INSPECTIONS),
        ),
    ),
    **viewset(
        "inspection_standards",
        **dict.fromkeys(
            (
                "index",
                "index_results",
                "add",
                "edit",
                "delete",
                "history",
                "history_results",
                "usage",
                "inspect",
            ),
            only(INSPECTIONS),
        ),
    ),
    **viewset(
        "inspections",
        index=only(INSPECTIONS),
        index_results=only(INSPECTIONS),
        inspect=only(INSPECTIONS),
        **dict.fromkeys(("add", "edit", "delete", "history", "history_results", "usage"), nobody()),
    ),
    # Companies and plans (a plan's fields but its name are fixed once made); assignments come
    # from their plan (nobody adds one) and are edited or deleted until their inspection begins.
    **{
        key: row
        for namespace in ("inspection_companies", "inspection_plans")
        for key, row in viewset(
            namespace,
            **dict.fromkeys(
                (
                    "index",
                    "index_results",
                    "add",
                    "edit",
                    "delete",
                    "history",
                    "history_results",
                    "usage",
                    "inspect",
                ),
                only(INSPECTIONS),
            ),
        ).items()
    },
    **viewset(
        "inspection_assignments",
        **dict.fromkeys(
            ("index", "index_results", "edit", "delete", "history", "history_results", "usage"),
            only(INSPECTIONS),
        ),
        add=nobody(),
    ),
    # A finding's photo (private storage): who reads findings (inspections/admin_views.py).
    "inspections_finding_photo": only(INSPECTIONS),
    # Importing objects (inspections/import_views.py): who adds and changes objects.
    "inspections_object_import": only(INSPECTIONS),
    # Contests (inspections/contest_views.py): the 养护单位 role's results of its own units and
    # its contest form (the finding here is of an inspection not yet submitted, which no unit
    # sees: a 404 to everyone); the 督查管理 role decides.
    "inspections_own_results": only(CONTRACTOR),
    "inspections_contest_file": nobody(),
    "inspections_contests": only(INSPECTIONS),
    "inspections_contest_decide": only(INSPECTIONS),
    # The monthly inspection bulletin (inspections/bulletin_views.py): who reads inspections.
    "inspections_bulletin": only(INSPECTIONS),
    "inspections_bulletin_pdf": only(INSPECTIONS),
    # The inspector's phone screen (inspections/views.py): the 第三方督查员 role only, and only
    # their own assignments (the one used here is theirs); the superuser holds no assignment.
    "inspector:assignments": only(INSPECTOR, superuser=DENIED),
    "inspector:assignment": only(INSPECTOR, superuser=DENIED),
    **{
        f"inspector:{name}": only(INSPECTOR, outcome=POST_ONLY, superuser=DENIED)
        for name in ("start", "finding", "submit")
    },
    "casefeed_delivery_retry": only(*STAFF, outcome=POST_ONLY),
    "casesystem:*": nobody_but_superuser(),
    "apikey:*": nobody_but_superuser(),
    # --- the reward fund (complaints/rewards/admin/claims.py, reward_viewsets.py) ---
    "rewards_claim": only(*REWARD_ROLES),
    "rewards_claim_reveal": only(*REWARD_ROLES, outcome=POST_ONLY),
    # "Approve ¥xx?": only who may approve (complaints.approve_rewardclaim) is asked.
    "rewards_claim_confirm": only(APPROVER),
    "rewards_funds": only(*REWARD_ROLES),
    "rewards_fund_allocate": only(*REWARD_ROLES, outcome=POST_ONLY),
    "rewards_ledger": only(*REWARD_ROLES),
    "rewards_report": only(*REWARD_ROLES),
    "rewards_export": only(*REWARD_ROLES),
    **viewset("reward-claims", index=only(*REWARD_ROLES), index_results=only(*REWARD_ROLES)),
    **viewset(
        "reward-rules",
        index=only(*REWARD_ROLES),
        index_results=only(*REWARD_ROLES),
        add=only(OFFICER),
        edit=only(OFFICER),
        # NoDeletePermissionPolicy: versions are kept, even the superuser cannot delete.
        delete=nobody(),
        # Wagtail: history needs add, change or delete; usage needs change.
        history=only(OFFICER),
        history_results=only(OFFICER),
        usage=only(OFFICER),
    ),
    **viewset(
        "reward-exclusions",
        index=only(OFFICER),
        index_results=only(OFFICER),
        add=only(OFFICER),
        edit=only(),  # an exclusion is added or removed, never edited
        delete=only(OFFICER),
        history=only(OFFICER),
        history_results=only(OFFICER),
        usage=only(),
    ),
    **viewset(
        "reward-funds",
        index=only(*REWARD_ROLES),
        index_results=only(*REWARD_ROLES),
        add=only(APPROVER),
        edit=only(APPROVER),
        delete=nobody(),
        history=only(APPROVER),
        history_results=only(APPROVER),
        usage=only(APPROVER),
    ),
    **viewset(
        "data-exports",
        index=only(AUDITOR),
        index_results=only(AUDITOR),
        inspect=only(AUDITOR),
    ),
    **viewset(
        "identity-erasures",
        index=only(AUDITOR),
        index_results=only(AUDITOR),
        inspect=only(AUDITOR),
    ),
    # --- complaints snippets (complaints/reference/admin.py, case_settings.py) ---
    # The informant-access log: read-only for everyone (ReadOnlyPermissionPolicy).
    **snippet(
        "piiaccess",
        chooser=only(AUDITOR),
        list=only(AUDITOR),
        list_results=only(AUDITOR),
        inspect=only(AUDITOR),
        add=nobody(),
        edit=nobody(),
        delete=nobody(),
        copy=nobody(),
        history=nobody(),
        history_results=nobody(),
        usage=nobody(),
    ),
    **snippet(
        "satisfactionresponse",
        chooser=only(SUPERVISOR),
        list=only(SUPERVISOR),
        list_results=only(SUPERVISOR),
        inspect=only(SUPERVISOR),
        add=only(),
        edit=only(),
        delete=only(),
        copy=only(),
        history=only(),
        history_results=only(),
        usage=only(),
    ),
    **{
        key: row
        for model in ("holiday", "routingrule")
        for key, row in snippet(
            model,
            chooser=ANY_STAFF_CHOOSER,
            list=only(SUPERVISOR),
            list_results=only(SUPERVISOR),
            add=only(SUPERVISOR),
            edit=only(SUPERVISOR),
            delete=only(SUPERVISOR),
            copy=only(SUPERVISOR),
            history=only(SUPERVISOR),
            history_results=only(SUPERVISOR),
            usage=only(SUPERVISOR),
        ).items()
    },
    **snippet(
        "responsetemplate",
        chooser=ANY_STAFF_CHOOSER,
        list=only(INTAKE, HANDLER, SUPERVISOR),
        list_results=only(INTAKE, HANDLER, SUPERVISOR),
        add=only(SUPERVISOR),
        edit=only(SUPERVISOR),
        delete=only(SUPERVISOR),
        copy=only(SUPERVISOR),
        history=only(SUPERVISOR),
        history_results=only(SUPERVISOR),
        usage=only(SUPERVISOR),
    ),
    # Reference data and department memberships: no role holds their permissions; the
    # reference data is picked in other forms (routing rules, response templates).
    **{
        key: row
        for model in ("category", "department", "town", "community", "gridcell")
        for key, row in {
            f"wagtailsnippets_complaints_{model}:*": closed_to_roles(),
            f"wagtailsnippetchoosers_complaints_{model}:create": closed_to_roles(),
            f"wagtailsnippetchoosers_complaints_{model}:*": ANY_STAFF_CHOOSER,
        }.items()
    },
    "wagtailsnippets_complaints_departmentmembership:*": nobody_but_superuser(),
    "wagtailsnippetchoosers_complaints_departmentmembership:*": nobody_but_superuser(),
    # --- site settings: the moderator edits PortalSettings ---
    "wagtailsnippets:index": wagtail(),
    "wagtailsettings:edit": only(MODERATOR),
    "wagtailsettings:preview_on_edit": wagtail(),
    # --- people and structure: only the superuser manages them ---
    "wagtailusers_users:*": closed_to_roles(),
    "wagtailusers_groups:*": closed_to_roles(),
    "wagtailsites:*": closed_to_roles(),
    # --- content languages: locales (the superuser's), and the publicity roles' Translate
    # action (docs/publishing.md); a snippet translation finds no translatable snippet ---
    "wagtaillocales:*": closed_to_roles(),
    "simple_translation:submit_page_translation": only(EDITOR, MODERATOR),
    "simple_translation:submit_snippet_translation": closed_to_roles(),
    "wagtailadmin_workflows:*": wagtail(),
    # --- Wagtail's own screens, grouped: anonymous visitors must sign in ---
    "wagtailadmin_home": signed_in(),
    "wagtailadmin_logout": wagtail(),
    "wagtailadmin_*": wagtail(),
    "wagtail_bulk_action": wagtail(),
    "wagtailimages:*": wagtail(),
    "wagtailimages_chooser:*": wagtail(),
    "wagtaildocs:*": wagtail(),
    "wagtaildocs_chooser:*": wagtail(),
    "wagtailforms:*": wagtail(),
    "wagtailredirects:*": wagtail(),
    "wagtailsearchpromotions:*": wagtail(),
    "wagtailembeds:*": wagtail(),
    "admin/test404/": wagtail(),
    "admin/^.*/$": wagtail(),
}

# Admin URLs an anonymous visitor may open: the sign-in and password-reset doors and assets.
ADMIN_PUBLIC_DOORS = {
    "wagtailadmin_login",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
}


# --- walking the URL configuration ------------------------------------------------------


class Entry:
    def __init__(self, chain: list, namespace: str | None, pattern: URLPattern):
        self.chain = [*chain, pattern.pattern]
        self.pattern = pattern
        self.route = "".join(str(p) for p in self.chain)
        self.key = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
        self.key = self.key or self.route
        # The route ResolverMatch reports: inner patterns lose their leading "^".
        route = ""
        for part in self.chain:
            route = URLResolver._join_route(route, str(part))
        self.resolver_route = route

    def __repr__(self):
        return f"{self.key} ({self.route})"


def url_entries() -> list[Entry]:
    entries = []

    def walk(resolver: URLResolver, chain: list, namespace: str | None):
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                inner = namespace
                if item.namespace:
                    inner = f"{namespace}:{item.namespace}" if namespace else item.namespace
                walk(item, [*chain, item.pattern], inner)
            else:
                entries.append(Entry(chain, namespace, item))

    walk(get_resolver(), [], None)
    return entries


def row_for(key: str) -> dict[str, str] | None:
    if key in ACCESS:
        return ACCESS[key]
    for pattern, row in ACCESS.items():
        if "*" in pattern and fnmatch.fnmatchcase(key, pattern):
            return row
    return None


# --- filling URL parameters -------------------------------------------------------------

ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def build_path(entry: Entry, values: dict) -> str:
    """A concrete path for ``entry``; ``values`` maps parameter names to values."""
    parts = []
    for pattern in entry.chain:
        if isinstance(pattern, LocalePrefixPattern):
            parts.append(pattern.language_prefix)
        elif isinstance(pattern, RoutePattern):

            def substitute(match, pattern=pattern):
                name = match["name"]
                return str(pattern.converters[name].to_url(values[name]))

            parts.append(ROUTE_PARAM.sub(substitute, str(pattern._route)))
        elif isinstance(pattern, RegexPattern):
            template, params = normalize(pattern.regex.pattern)[0]
            parts.append(template % {name: values[name] for name in params})
        else:  # pragma: no cover - a new pattern class
            raise AssertionError(f"unknown URL pattern class {type(pattern)}")
    return "/" + "".join(parts)


class Fixtures:
    """The objects whose ids fill the URL parameters, and the per-pattern values."""

    def __init__(self, **objects):
        self.__dict__.update(objects)

    @staticmethod
    def bulletin():
        """A month's bulletin with a PDF (made once, on the first URL that needs it)."""
        from datetime import date

        from indicators.bulletin import bulletin_generate
        from indicators.models import Bulletin

        return Bulletin.objects.filter(month=date(2026, 1, 1)).first() or bulletin_generate(
            day=date(2026, 1, 1)
        )

    def pk_for(self, entry: Entry):
        namespace = entry.key.rsplit(":", 1)[0] if ":" in entry.key else entry.key
        by_namespace = {
            "complaints_case": self.report,
            "complaints_case_photo": self.report,
            "complaints_case_reveal": self.report,
            "complaints_case_callback": self.report,
            "rewards_claim": self.claim,
            "rewards_claim_reveal": self.claim,
            "rewards_claim_confirm": self.claim,
            "casefeed_delivery_retry": None,  # POST only: a dummy id reaches the same 405
            "casesystem": self.case_system,
            "apikey": self.api_key,
            "reward-rules": self.rule,
            "reward-exclusions": self.exclusion,
            "reward-funds": self.fund,
            "data-exports": self.data_export,
            "identity-erasures": self.erasure,
            "wagtailsites": self.site,
            "wagtailusers_users": self.users[EDITOR],
            "wagtailusers_groups": self.group,
            "wagtailadmin_collections": self.collection,
            "wagtailsettings": self.site,
            "wagtailadmin_api:pages": self.home,
            "wagtailadmin_api:images": self.image,
            "wagtailadmin_api:documents": self.document,
            "wagtailimages_chooser": self.image,
            "wagtaildocs_chooser": self.document,
            "score_weights": ScoreWeights.objects.order_by("version").first(),
            "indicators_bulletin_print": self.bulletin(),
            "indicators_bulletin_pdf": self.bulletin(),
            "inspection_objects": self.inspection.object,
            "inspection_standards": self.unused_standard,
            "inspections": self.inspection,
            "inspection_companies": self.assignment.plan.company,
            "inspection_plans": self.assignment.plan,
            "inspection_assignments": self.assignment,
            "inspector": self.assignment,
            "inspections_finding_photo": self.finding,
            "inspections_contest_file": self.finding,
            "inspections_contest_decide": self.contest,
        }
        if namespace in by_namespace:
            obj = by_namespace[namespace]
            return obj.pk if obj is not None else 999999
        match = re.fullmatch(r"wagtailsnippet(?:s|choosers)_complaints_(\w+)", namespace)
        if match:
            obj = self.snippets.get(match[1])
            return obj.pk if obj is not None else 999999
        return 999999

    def values(self, entry: Entry) -> dict:
        common = {
            "reference": self.report.reference,
            "photo_pk": self.attachment.pk,
            "year": self.fund.year,
            "slug": self.case_system.slug,
            "action": "approve",
            "token": "x" * 32,
            "code": "E0102",
            "fmt": "json",
            "page_id": self.home.pk,
            "cell_id": self.report.grid_cell_id,
            "category_id": self.report.category_id,
            "parent_page_id": self.home.pk,
            "image_id": self.image.pk,
            "document_id": self.document.pk,
            "doc_id": self.document.pk,
            "collection_id": self.collection.pk,
            "app_name": "cms",
            "app_label": "cms",
            "model_name": "portalsettings",
            "_0": str(self.document.pk),
            "_1": self.document.filename,
        }
        values = {"pk": self.pk_for(entry), **common}
        if entry.key == "complaints:report_photo":
            values["pk"] = self.attachment.pk
        if entry.key == "wagtail_serve":
            values["_0"] = ""  # the home page
        # Anything else (revision ids, task ids, upload ids, ...): a dummy of the right shape.
        return DefaultValues(values)


class DefaultValues(dict):
    """A dummy for any other parameter (revision, task or upload ids ...)."""

    dummy = "1"

    def __missing__(self, name):
        return self.dummy


def concrete_path(entry: Entry, fixtures: Fixtures) -> str:
    """A path that resolves to ``entry`` itself (not to a catch-all pattern)."""
    values = fixtures.values(entry)
    for dummy in ("1", "x", "live"):
        values.dummy = dummy
        path = build_path(entry, values)
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.func == entry.pattern.callback and match.route == entry.resolver_route:
            return path
    raise AssertionError(f"{entry}: no built path resolves to it; add a value in Fixtures.values")


# --- the visits -------------------------------------------------------------------------


def login_paths() -> set[str]:
    from django.conf import settings

    return {reverse("wagtailadmin_login"), reverse(settings.LOGIN_URL)}


def outcome(response, paths_to_login: set[str]) -> str:
    code = response.status_code
    if code >= 500:
        return f"error {code}"
    if code == 405:
        return POST_ONLY
    if code in (401, 403, 404, 410):
        return DENIED
    if code >= 400:
        return f"refused {code}"
    if 300 <= code < 400:
        target = urlsplit(response["Location"]).path
        if target in paths_to_login:
            return LOGIN
        if target == reverse("complaints:track"):
            return ACCESS_CODE
        errors = [m for m in get_messages(response.wsgi_request) if m.level >= message_levels.ERROR]
        if errors and target == reverse("wagtailadmin_home"):
            return DENIED
    return OK


def same(expected: str, observed: str) -> bool:
    return observed == (OK if expected == PUBLIC else expected)


@pytest.fixture
def fixtures(home, reference_data, handler, make_staff, settings):
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Collection, Site

    from complaints.intake.services.uploads import upload_draft_add
    from complaints.models import CaseSystem, ConnectorKind, ReportState
    from complaints.open311.keys import api_key_issue
    from complaints.rewards.services.claims import claim_assess
    from complaints.rewards.services.informants import IdentityInput

    users = {role: make_staff(role) for role in STAFF if role != HANDLER}
    users[HANDLER] = handler  # a member of the sanitation department
    superuser = make_staff(None)
    users[SUPERUSER] = superuser

    draft = upload_draft_add(token=uuid.uuid4().hex + uuid.uuid4().hex[:8], upload=photo())
    report = report_walk(
        submit(photo_drafts=[draft]),
        ReportState.DISPATCHED,
        actors={roles.DEPARTMENT_HANDLER: handler},
        department=Department.objects.get(key="sanitation"),
    )
    # A closed informant report with a claim, in a funded year with a rule.
    rule_row = rule(dumping(), amount="50.00")
    fund_row = fund(users[APPROVER], budget="10000.00", allocate="5000.00")
    informant = inform(identities=[IdentityInput(name=NAME, phone=PHONE, payment_account="6222")])
    close(informant, users[SUPERVISOR])
    # Assessed (eligible, proposed by the officer): the approver is asked to confirm it.
    claim = claim_assess(claim=informant.reward_claims.get(), actor=users[OFFICER])
    case_system = CaseSystem.objects.create(
        name="区数字城管平台",
        slug="district",
        kind=ConnectorKind.WEBHOOK,
        endpoint="http://127.0.0.1:9/webhook",
        secret="s" * 32,
        timeout=2,
    )
    api_key, _clear = api_key_issue(name="12345 hotline")
    collection = Collection.get_first_root_node()
    image = get_image_model().objects.create(
        title="街景", file=ContentFile(jpeg_bytes(), name="street.jpg"), collection=collection
    )
    document = get_document_model().objects.create(
        title="通知", file=ContentFile(b"%PDF-1.4\n", name="notice.pdf"), collection=collection
    )
    department = report.department
    snippets = {
        "holiday": Holiday.objects.create(
            date=timezone.localdate() + timedelta(days=300), name="test"
        ),
        "routingrule": RoutingRule.objects.create(
            category=report.category, town=report.town, department=department
        ),
        "responsetemplate": ResponseTemplate.objects.create(title="已派遣", text="已派遣处置。"),
        "departmentmembership": DepartmentMembership.objects.get(user=handler),
        "satisfactionresponse": SatisfactionResponse.objects.create(
            report=report, rating="satisfied", channel="web"
        ),
        "piiaccess": PiiAccess.objects.create(
            user=users[OFFICER], report=informant, fields="name", reason="核对"
        ),
    }
    for model_name in ("category", "department", "town", "community", "gridcell"):
        from django.apps import apps

        snippets[model_name] = apps.get_model("complaints", model_name).objects.first()
    from inspections.models import Inspection, InspectionObject, Standard

    inspected = InspectionObject.objects.create(
        kind="market", name="菜市场 1", grade="1", town=report.town, responsible_unit=department
    )
    used_standard = Standard.objects.create(kind="market", grade="1", valid_from="2026-01-01")
    unused_standard = Standard.objects.create(kind="park", grade="1", valid_from="2026-01-01")
    inspection = Inspection.objects.create(
        object=inspected,
        standard=used_standard,
        inspector=users[INSPECTIONS],
        inspected_at=timezone.now(),
    )
    from inspections.models import (
        Assignment,
        Finding,
        InspectionCompany,
        InspectionPlan,
        StandardItem,
    )

    company = InspectionCompany.objects.create(name="第三方督查公司")
    company.members.add(users[INSPECTOR])
    plan = InspectionPlan.objects.create(
        name="菜市场", month="2026-01-01", kind="market", grade="1", company=company
    )
    assignment = Assignment.objects.create(plan=plan, object=inspected, inspector=users[INSPECTOR])
    finding = Finding.objects.create(
        inspection=inspection,
        item=StandardItem.objects.create(
            standard=used_standard, discipline="sanitation", text="地面垃圾", points=2, cap=10
        ),
        photo=ContentFile(jpeg_bytes(), name="finding.jpg"),
    )
    from inspections.models import Contest

    contest = Contest.objects.create(
        finding=finding, reason="已整改", contested_by=users[CONTRACTOR]
    )
    return Fixtures(
        users=users,
        assignment=assignment,
        finding=finding,
        superuser=superuser,
        report=report,
        attachment=report.attachments.get(),
        claim=claim,
        rule=rule_row,
        fund=fund_row,
        exclusion=RewardExclusion.objects.create(
            phone_hash="0" * 64, label="本局职工", added_by=users[OFFICER]
        ),
        data_export=DataExport.objects.create(user=users[OFFICER], name="payments", row_count=0),
        erasure=IdentityErasure.objects.create(
            informant=claim.informant, report_reference=informant.reference, fields="name"
        ),
        case_system=case_system,
        api_key=api_key,
        home=home,
        site=Site.objects.get(),
        group=roles.group(EDITOR),
        collection=collection,
        image=image,
        document=document,
        snippets=snippets,
        inspection=inspection,
        unused_standard=unused_standard,
        contest=contest,
    )


# --- the tests --------------------------------------------------------------------------


def test_every_url_pattern_has_a_row():
    entries = url_entries()
    assert len(entries) > 300, "the walk found too few URL patterns: is the admin included?"
    missing = sorted({entry.key for entry in entries if row_for(entry.key) is None})
    assert not missing, (
        "URL patterns without a row in ACCESS (tests/portal/test_access_matrix.py). Declare "
        "who may open each new screen (anonymous, each role of portal/roles.py, superuser):\n  "
        + "\n  ".join(missing)
    )
    keys = {entry.key for entry in entries}
    stale = [
        key
        for key in ACCESS
        if not any(key == k or ("*" in key and fnmatch.fnmatchcase(k, key)) for k in keys)
    ]
    assert not stale, f"rows in ACCESS that match no URL pattern any more: {stale}"


def test_every_admin_url_requires_sign_in():
    """Structural: whatever the rows say, /admin/ is closed to anonymous visitors."""
    for entry in url_entries():
        row = row_for(entry.key)
        if row and entry.route.startswith("admin/") and entry.key not in ADMIN_PUBLIC_DOORS:
            assert row[ANONYMOUS] == LOGIN, entry


@pytest.mark.parametrize("visitor", VISITORS)
def test_access_matrix(visitor, fixtures):
    client = Client()
    if visitor != ANONYMOUS:
        client.force_login(fixtures.users[visitor])
    paths_to_login = login_paths()
    entries = url_entries()
    # Sign-out last, whatever it answers.
    entries.sort(key=lambda entry: entry.key == "wagtailadmin_logout")
    mismatches, visited, timings = [], 0, []
    started = time.monotonic()
    for entry in entries:
        expected = row_for(entry.key)[visitor]
        if expected == UNCHECKED:
            continue
        path = concrete_path(entry, fixtures)
        before = time.monotonic()
        response = client.get(path)
        timings.append((time.monotonic() - before, entry.key))
        visited += 1
        observed = outcome(response, paths_to_login)
        if entry.key == "healthz" and response.status_code == 503:
            observed = OK  # a failing check (no worker runs here) is still an answer
        if not same(expected, observed):
            mismatches.append(f"{entry.key}  {path}: expected {expected}, got {observed}")
    elapsed = time.monotonic() - started
    print(f"{visitor}: {visited} URLs in {elapsed:.1f} s; slowest:", sorted(timings)[-5:])
    assert not mismatches, f"{visitor}:\n  " + "\n  ".join(mismatches)
