"""English translations of the demo's main pages, made the way an editor does.

Each page goes through Wagtail's translation API (``copy_for_translation``, the same copy the
admin's "Translate" action makes), gets its English text and is published. Pages already
translated are left alone, so editors' changes survive a second seed. Pages not listed here
stay untranslated and are served in Chinese with a notice under /en/.
"""

import json

from wagtail.models import Locale, Page

from cms.models import (
    CampaignIndexPage,
    CampaignPage,
    CaseStudyIndexPage,
    CaseStudyPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    RewardSchemePage,
    StandardPage,
    TargetsPage,
)


def _stream(*blocks) -> str:
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


def _paragraph(html: str):
    return ("paragraph", html)


def _heading(text: str, level: str = "h2"):
    return ("heading", {"text": text, "level": level})


class Translator:
    def __init__(self):
        self.locale, _ = Locale.objects.get_or_create(language_code="en")
        self.created = 0

    def translate(self, page: Page | None, **fields) -> Page | None:
        """The English translation of ``page`` with ``fields`` set and published; None without a page.

        Inline children (a campaign's gallery, a targets page's rows) are copied with the page;
        pass ``_children={"relation": callback(rows)}`` to put English text on the copies.
        """
        if page is None:
            return None
        existing = page.get_translation_or_none(self.locale)
        if existing is not None:
            return existing.specific
        children = fields.pop("_children", {})
        english = page.copy_for_translation(self.locale, copy_parents=True).specific
        for name, value in fields.items():
            setattr(english, name, value)
        for relation, edit in children.items():
            rows = list(getattr(english, relation).all())
            edit(rows)
            setattr(english, relation, rows)
        english.save_revision().publish()
        self.created += 1
        return english


def _child(parent: Page, model, slug: str):
    return model.objects.child_of(parent).filter(slug=slug).first()


# Target rows of the demo's targets page, in order: English name, unit, responsible unit.
TARGETS_EN = [
    ("Hot spots fixed and improved", "spots", "District joint enforcement office"),
    ('Roads cleared of the "three disorders" by contractors', "km", "District enforcement bureau"),
    ("Illegal construction demolished", "m²", "District enforcement bureau and the towns"),
    ("Villages and communities free of illegal construction", "communities", "The towns"),
    ("Streetscape renovation", "streets", "Urban management bureau"),
    ("Back alleys renovated", "alleys", "The towns"),
    ("Public toilets built or renovated", "toilets", "District sanitation office"),
    ("New green space", "10,000 m²", "District greening office"),
    ("Green coverage", "%", "District greening office"),
    ("Garden-style residential estates", "estates", "District greening office and the towns"),
    ("New parking spaces", "spaces", "District traffic coordination office"),
    ("Bin washing points built", "points", "District sanitation office"),
    ("Waste sorting pilot estates", "estates", "District sanitation office"),
]


def _english_targets(rows) -> None:
    for row, (name, unit, responsible) in zip(rows, TARGETS_EN, strict=False):
        row.name, row.unit, row.responsible_unit, row.note = name, unit, responsible, ""


def _english_gallery(rows) -> None:
    texts = [
        ("A street flowing freely after the clean-up", "The street after the clean-up"),
        ("Stalls blocking the pavement", "Around a farmers' market before the clean-up"),
    ]
    for row, (alt, caption) in zip(rows, texts, strict=False):
        row.alt_text, row.caption = alt, caption


def translate_site(*, home: HomePage) -> int:
    """Translate the demo's main pages into English; returns how many translations it made."""
    t = Translator()
    t.translate(
        home,
        title="Binhu Urban Management",
        hero_title="A clean, orderly Binhu, built together",
        hero_text="Spot a problem with the streets or the city's order? Snap it and report it any "
        "time. We fix it within a set time, you can follow every step, and you rate the result.",
        intro="<p>The district's urban management bureau works through joint enforcement and "
        "grid management to keep streets clean and orderly around the lake. Residents are "
        "welcome to take part and to hold us to account.</p>",
        listing_summary="The district's public urban management service: complaints, reports of "
        "violations, progress tracking and satisfaction ratings.",
    )

    campaigns = _child(home, CampaignIndexPage, "campaigns")
    t.translate(
        campaigns,
        title="Campaigns",
        intro="<p>Joint enforcement, grid management and concentrated clean-ups of the "
        "district's hardest street problems.</p>",
        listing_summary="Hot spots, grid management, illegal construction and the Taihu Cup "
        "contest.",
    )
    if campaigns is not None:
        t.translate(
            _child(campaigns, CampaignPage, "hot-spots-joint-enforcement"),
            title="Joint enforcement on street hot spots",
            lead_unit="District joint enforcement office",
            goals="<ul><li>Fix and improve at least 45 hot spots</li>"
            "<li>Nine farmers' markets as priority joint enforcement projects</li>"
            '<li>At least 45 km of roads cleared of the "three disorders" by contractors</li></ul>',
            body=_stream(
                _heading("What we target"),
                _paragraph(
                    "<p>Unlicensed stalls, businesses occupying the road, parking disorder, "
                    "fly-tipping, scrap stations, car-wash points, and illegal posters, graffiti "
                    "and hanging ads: regular concentrated clean-ups tackle the problems that "
                    "keep coming back.</p>"
                ),
                _heading("How you can take part"),
                _paragraph(
                    '<p>Seen one of these problems? Report it with a photo through "File a '
                    'complaint" on this site, or call the 12319 hotline. Eligible reports of '
                    "violations can earn a reward.</p>"
                ),
            ),
            listing_summary="Joint enforcement against unlicensed stalls, road occupation, "
            'parking disorder and the "three disorders".',
            _children={"gallery_images": _english_gallery},
        )

    t.translate(
        _child(home, TargetsPage, "targets"),
        title="Urban management targets for 2026",
        intro="<p>The year's urban management targets and how far each has come, updated "
        "monthly.</p>",
        listing_summary="This year's targets and progress: illegal construction, back alleys, "
        "toilets, greening and parking.",
        _children={"targets": _english_targets},
    )

    cases = _child(home, CaseStudyIndexPage, "cases")
    t.translate(
        cases,
        title="Exemplary cases",
        intro="<p>Reported by residents, handled by the departments, with visible results: a "
        "selection of cases.</p>",
        listing_summary="How problems residents reported were solved: before and after.",
    )
    if cases is not None:
        t.translate(
            _child(cases, CaseStudyPage, "market-road-occupation"),
            title="Clearing stalls from the roads around a farmers' market",
            before_alt_text="Stalls on the pavement and the cycle lane",
            after_alt_text="The pavement clear after the clean-up",
            problem="<p>Residents reported again and again that morning-market stalls blocked "
            "the pavement; at peak times people had to walk in the road.</p>",
            actions="<ol><li>The town's enforcement team and the market operator set up a "
            "temporary trading area</li><li>Barriers and road markings were put in</li>"
            "<li>Grid staff now patrol at the morning and evening peaks</li></ol>",
            outcome="<p>The pavement is open again; complaints of this kind fell by nine tenths "
            "within three months, and the callback found the residents satisfied.</p>",
            listing_summary="Clearing stalls from the roads around a farmers' market: before "
            "and after.",
        )

    news = _child(home, NewsIndexPage, "news")
    t.translate(
        news,
        title="Notices and news",
        listing_summary="Urban management notices, announcements and news.",
    )
    if news is not None:
        t.translate(
            _child(news, NewsPage, "national-day-hotline"),
            title="The urban management hotline stays open over the National Day holiday",
            body=_stream(
                _paragraph(
                    "<p>Over the National Day holiday the 12319 urban management hotline and "
                    "this site take reports as usual; urgent problems get a response within two "
                    "hours.</p>"
                )
            ),
            listing_summary="The 12319 hotline and this site stay open over the holiday.",
        )

    t.translate(
        _child(home, StandardPage, "about"),
        title="About us",
        listing_summary="What the district's urban management bureau does, and what this site "
        "offers.",
        body=_stream(
            _paragraph(
                "<p>The district's urban management bureau looks after the cityscape, street "
                "order, illegal construction, sanitation and green spaces, through a three-level "
                "digital case platform: district, town and community.</p>"
            ),
            _heading("How a report is handled"),
            _paragraph(
                "<ol><li>Received: we receive your complaint and give you a reference</li>"
                "<li>Registered: we confirm it is an urban management matter</li>"
                "<li>Dispatched: the responsible unit must act within a set time</li>"
                "<li>Handled and verified: a supervisor checks the work on site</li>"
                "<li>Closed and rated: you tell us how well it was handled</li></ol>"
            ),
        ),
    )

    t.translate(
        _child(home, RewardSchemePage, "rewards"),
        title="Rewards for reporting",
        listing_summary="Report violations of the city's order and environment; confirmed "
        "reports earn a reward at the published rates.",
        intro="<p>The bureau has a fund to reward residents who report violations. The first "
        "person to report a listed violation under their real name, once it is confirmed and "
        "the case is closed, is rewarded at the rates below.</p>",
        body=_stream(
            _heading("The rules"),
            _paragraph(
                "<ul><li>One violation (same grid cell, same category, same day) earns one "
                "reward, for the first report; joint reporters share it equally.</li>"
                "<li>Rewards per person per day and per month are capped; urban management "
                "staff and their relatives cannot claim.</li>"
                "<li>Report within the stated number of days, with a close-up and a wide photo, "
                "the time you saw it and the exact place.</li>"
                "<li>A reward officer proposes each reward and a second person approves it; every "
                "payment is recorded and audited.</li></ul>"
            ),
            _heading("Following up"),
            _paragraph(
                "<p>After you report, the page shows a receipt code once: write it down or take "
                "a photo. With it you can see the outcome, the reward decision and the payment, "
                "without an account.</p>"
            ),
        ),
    )
    return t.created
