"""Staff work in Chinese: every admin screen a role can open reads in Chinese (and offers no
Ctrl-click multiple choice list).

Each role signs in and opens every admin screen it may open (the access matrix's table and
objects: listings, the case, the claim, create and edit forms, reports), in the default
language. The visible text of each page (text, ``placeholder``, ``title``, ``aria-label``,
``alt``, option labels, and the labels of the sidebar menu) must hold no English word outside
a short list of names and codes. Data the test itself created (user names, file names, e-mail
addresses) is left out.
"""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from portal import roles
from tests.portal.test_access_matrix import (
    OK,
    UNCHECKED,
    complaints_settings,  # noqa: F401  (fixture)
    concrete_path,
    fixtures,  # noqa: F401  (fixture)
    reference_data,  # noqa: F401  (fixture)
    row_for,
    url_entries,
)

# Names and codes that stay as they are in Chinese text.
ALLOWED = {
    "wagtail",
    "open311",
    "xlsx",
    "csv",
    "json",
    "geojson",
    "api",
    "sms",
    "url",
    "id",
    "wgs84",
    "http",
    "https",
    "qr",
    "pdf",
    "jpeg",
    "jpg",
    "png",
    "gif",
    "webp",
    "svg",
    "email",
    "e-mail",
    "ip",
    "utc",
    "gmt",
    "cst",
    "ok",
    "leaflet",
    "openstreetmap",
    "markdown",
    "html",
    "ai",
    # key names in the keyboard-shortcuts dialog, units, and products named in help texts
    "ctrl",
    "shift",
    "alt",
    "esc",
    "kb",
    "mb",
    "avif",
    "microsoft",
    "google",
    "authenticator",
    "freeotp",
    "excel",
    "english",  # the English language's own name, in the language choice
    "rss",  # feed formats, in the public pages' feed links (page previews)
    "atom",
}
# Screens left out: downloads and machine answers, and the sign-out.
SKIPPED = (
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "admin/failwhale/",  # Wagtail's deliberate error, for testing error reporting
)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z]+)*")
# Text that is data, not interface: addresses, file names, URLs, dates, references.
DATA = re.compile(
    r"\S+@\S+"  # e-mail addresses
    r"|https?://\S+|/\S*"  # URLs and paths
    r"|\b[\w-]+\.(?:jpe?g|png|gif|pdf|csv|xlsx|json|svg|webp)\b"  # file names
    # two-factor secrets and recovery codes, before the codes below would split them
    r"|\b[A-Z0-9]{4}(?: [A-Z0-9]{4}){3,}\b"
    r"|\b[A-Z]{1,4}-?\d[\w-]*"  # codes: references, category codes
    r"|\{[^}]*\}|%\(\w+\)s"  # placeholders left for scripts
    r"|\b[A-Z][a-z]+/[A-Za-z_]+"  # time-zone names (Asia/Shanghai)
    r"|\b\d+x\d+\b"  # image sizes
    r"|\b(?:cms|wagtailcore)\.[a-z]+\b"  # content types (the page types report)
)
# Rows Wagtail itself creates (the tree's root page, its default workflow) and the site's
# host name: data, not interface.
WAGTAIL_DATA = {"Moderators approval", "Root", "localhost"}
# Many-to-many choices are checkbox lists (portal/admin_widgets.py), never a Ctrl-click list.
SELECT_MULTIPLE = re.compile(r"<select\b[^>]*\bmultiple\b", re.IGNORECASE)
TEXT_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-w-tooltip-content-value")


class VisibleText(HTMLParser):
    """The text a person reads or hears on a page (not scripts, styles, icons or elements
    marked ``hidden``)."""

    HIDDEN = {"script", "style", "svg", "noscript", "head"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    VOID |= {"track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.sidebar: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, hides its content)
        self._sidebar_json = False

    @property
    def hidden(self) -> bool:
        return any(hides for _tag, hides in self._open)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("id") == "wagtail-sidebar-props":
            self._sidebar_json = True
        hides = tag in self.HIDDEN or "hidden" in attrs
        if not (hides or self.hidden):
            for name in TEXT_ATTRIBUTES:
                if attrs.get(name):
                    self.parts.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in self.VOID:
            self._open.append((tag, hides))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self._open.pop()

    def handle_endtag(self, tag):
        if tag == "script":
            self._sidebar_json = False
        # Close up to the matching open tag (browsers forgive a missing end tag).
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if self._sidebar_json:
            self.sidebar.append(data)
        elif not self.hidden:
            self.parts.append(data)


def menu_labels(props_json: str) -> list[str]:
    """The labels of the sidebar's menu items (the sidebar is drawn by script from these)."""
    labels = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("label", "placeholder") and isinstance(item, str):
                    labels.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(props_json))
    return labels


def english_texts(html: str, data: set[str]) -> set[str]:
    """The pieces of text of the page that hold an English word (not a name or a code)."""
    parser = VisibleText()
    parser.feed(html)
    texts = list(parser.parts)
    if parser.sidebar:
        texts += menu_labels("".join(parser.sidebar))
    found = set()
    for text in texts:
        checked = DATA.sub(" ", text)
        for item in data:
            checked = re.sub(rf"(?<!\w){re.escape(item)}(?!\w)", " ", checked)
        words = [w for w in WORD.findall(checked) if len(w) > 1 and w.lower() not in ALLOWED]
        if words:
            found.add(" ".join(text.split())[:120])
    return found


def admin_screens(role: str, world) -> list[str]:
    """The admin paths the role may open (its rows say so, or Wagtail's own screens)."""
    paths = []
    for entry in url_entries():
        if not entry.route.startswith("admin/") or {entry.key, entry.route} & set(SKIPPED):
            continue
        row = row_for(entry.key)  # a pattern without a row fails the access matrix's own test
        if row and row[role] in (OK, UNCHECKED):
            paths.append(concrete_path(entry, world))
    return sorted(set(paths))


# The back office's roles.
BACK_OFFICE = [
    roles.INTAKE_OPERATOR,
    roles.DEPARTMENT_HANDLER,
    roles.SUPERVISOR,
    roles.REWARD_OFFICER,
    roles.REWARD_APPROVER,
    roles.AUDITOR,
]


@pytest.mark.parametrize("role", BACK_OFFICE)
def test_admin_screens_hold_no_english(role, fixtures):  # noqa: F811
    user = fixtures.users[role]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    # User names are data (the fixtures' users and the staff the report factory acted with).
    data = set(get_user_model().objects.values_list("username", flat=True))
    # What the fixtures named: files, a holiday, an API key, an export, a logged field list.
    data |= {"street", "notice", "hotline", "test", "payments", "name", "s" * 32, *WAGTAIL_DATA}
    leaks: dict[str, set[str]] = {}
    ctrl_click: list[str] = []
    opened = 0
    for path in admin_screens(role, fixtures):
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        opened += 1
        html = response.content.decode()
        texts = english_texts(html, data)
        if texts:
            leaks[path] = texts
        if SELECT_MULTIPLE.search(html):
            ctrl_click.append(path)
    assert opened >= 3, f"{role}: opened only {opened} admin screens"
    assert not ctrl_click, f"{role}: Ctrl-click lists (<select multiple>) on {ctrl_click}"
    assert not leaks, f"{role}: English on {len(leaks)} of {opened} screens:\n" + "\n".join(
        f"  {path}: " + " | ".join(sorted(texts)) for path, texts in sorted(leaks.items())
    )


# --- the publicity roles: Wagtail's page editor, snippets, images and documents ---------------

PUBLICITY = [roles.PUBLICITY_EDITOR, roles.PUBLICITY_MODERATOR]
# Every StreamField block, so the editor draws each block's form (labels, placeholders).
EVERY_BLOCK = [
    {"type": "heading", "value": {"text": "整治进展", "level": "h2"}},
    {"type": "paragraph", "value": "<p>定期开展集中整治行动。</p>"},
    {"type": "quote", "value": {"text": "人行道终于通畅了。", "attribution": "居民"}},
    {"type": "key_figures", "value": [{"value": "45", "label": "整改点位"}]},
]


def every_page_type(home, image, author):
    """One page of each type under the home page, the stream bodies holding every block."""
    from wagtail.models import PageLogEntry, Revision

    from tests.cms import builders

    blocks = [*EVERY_BLOCK, {"type": "image", "value": {"image": image.pk, "alt_text": "街景"}}]
    body = json.dumps(blocks, ensure_ascii=False)
    campaign = builders.campaign(builders.campaign_index(home))
    campaign.body = body
    campaign.gallery_images.create(image=image, alt_text="街景", caption="整治后")
    campaign.save_revision().publish()
    index, (news,) = builders.news(home)
    news.body = body
    news.save_revision().publish()
    pages = [
        home,
        campaign,
        campaign.get_parent(),
        index,
        news,
        builders.case_study(home),
        builders.targets_page(home),
        builders.standard(home),
    ]
    from cms.models import RewardSchemePage
    from tests.conftest import publish

    pages.append(publish(home, RewardSchemePage(title="举报奖励办法", slug="rewards", body=body)))
    # Published here by code; in the admin every revision and publication has an author (the
    # revision screens and the aging pages report name it).
    Revision.objects.filter(user=None).update(user=author)
    PageLogEntry.objects.filter(user=None).update(user=author)
    return [page.specific for page in pages]


def page_editor_screens(pages) -> list[str]:
    """Each page's edit form and the create form of each type under a valid parent."""
    from django.urls import reverse

    paths = []
    for page in pages:
        paths.append(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        paths.append(reverse("wagtailadmin_explore", args=[page.pk]))
        for child_type in page.specific_class.allowed_subpage_models():
            meta = child_type._meta
            paths.append(
                reverse(
                    "wagtailadmin_pages:add",
                    args=[meta.app_label, meta.model_name, page.pk],
                )
            )
    return paths


def block_labels(html: str) -> list[str]:
    """The labels, help texts and placeholders of the StreamField blocks, which the editor
    draws by script from the block definitions in the page (JSON in data attributes)."""
    found = []
    for raw in re.findall(r'data-w-block-(?:data|arguments)-value="([^"]*)"', html):
        value = json.loads(_unescape(raw))
        _walk_block_texts(value, found)
    return found


def _unescape(text: str) -> str:
    import html as html_module

    return html_module.unescape(text)


BLOCK_TEXT_KEYS = {"label", "helpText", "placeholder", "addSiblingButtonLabel", "title"}


def _walk_block_texts(value, found: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in BLOCK_TEXT_KEYS and isinstance(item, str):
                found.append(item)
            elif key in ("strings", "messages") and isinstance(item, dict):
                found.extend(v for v in item.values() if isinstance(v, str))
            else:
                _walk_block_texts(item, found)
    elif isinstance(value, list):
        for item in value:
            _walk_block_texts(item, found)


@pytest.mark.parametrize("role", PUBLICITY)
def test_publicity_screens_hold_no_english(role, fixtures):  # noqa: F811
    """Editors and moderators: the page explorer, every page type's edit and create forms (the
    StreamField blocks, the scheduling panel), snippets, images and documents."""
    user = fixtures.users[role]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    # User names are data (the fixtures' users and the staff the report factory acted with).
    data = set(get_user_model().objects.values_list("username", flat=True))
    data |= {"street", "notice", "test", *WAGTAIL_DATA}
    pages = every_page_type(fixtures.home, fixtures.image, user)
    paths = sorted(set(admin_screens(role, fixtures)) | set(page_editor_screens(pages)))
    leaks: dict[str, set[str]] = {}
    ctrl_click: list[str] = []
    opened = with_blocks = 0
    for path in paths:
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        opened += 1
        html = response.content.decode()
        texts = english_texts(html, data)
        labels = block_labels(html)
        with_blocks += bool(labels)
        texts |= {text for text in labels if english_texts(f"<p>{_escape(text)}</p>", data)}
        if texts:
            leaks[path] = texts
        if SELECT_MULTIPLE.search(html):
            ctrl_click.append(path)
    assert opened >= 20, f"{role}: opened only {opened} admin screens"
    assert not ctrl_click, f"{role}: Ctrl-click lists (<select multiple>) on {ctrl_click}"
    # The stream editors of four pages, and the create forms of their types, were read.
    assert with_blocks >= 8, f"{role}: StreamField blocks found on {with_blocks} screens only"
    assert not leaks, f"{role}: English on {len(leaks)} of {opened} screens:\n" + "\n".join(
        f"  {path}: " + " | ".join(sorted(texts)) for path, texts in sorted(leaks.items())
    )


def _escape(text: str) -> str:
    import html as html_module

    return html_module.escape(text)
