"""Small builders for the page types, each with real content, for the CMS tests."""

import datetime
import json
from decimal import Decimal

from cms.models import (
    CampaignIndexPage,
    CampaignPage,
    CaseStudyIndexPage,
    CaseStudyPage,
    NewsIndexPage,
    NewsPage,
    StandardPage,
    Target,
    TargetsPage,
)
from complaints.models import Category, Department, Town
from tests.conftest import publish


def body(text: str) -> str:
    return json.dumps([{"type": "paragraph", "value": f"<p>{text}</p>"}], ensure_ascii=False)


def department(key="town_enforcement", name="镇/街道城管中队") -> Department:
    return Department.objects.get_or_create(key=key, defaults={"name": name})[0]


def category(code="0502", name="占道经营") -> Category:
    return Category.objects.get_or_create(
        kind="event",
        code=code,
        defaults={
            "major_code": code[:2],
            "major_name": "街面秩序",
            "name": name,
            "name_en": "Business occupying the road",
            "default_department": department(),
            "time_limit": 4,
            "time_unit": "working_hours",
        },
    )[0]


def campaign_index(home) -> CampaignIndexPage:
    return publish(home, CampaignIndexPage(title="专项行动", slug="campaigns", show_in_menus=True))


def campaign(index, *, slug="hot-spots", start=None, end=None, **fields) -> CampaignPage:
    page = CampaignPage(
        title=fields.pop("title", "市容热点难点问题集中整治"),
        slug=slug,
        start_date=start or datetime.date(2026, 3, 1),
        end_date=end,
        lead_unit="区联勤联动主管部门",
        goals="<ul><li>完成不少于 45 个热点难点问题整改</li></ul>",
        body=body("定期开展集中整治行动。"),
        **fields,
    )
    page.categories = [category()]
    page.responsible_departments = [department()]
    return publish(index, page)


def targets_page(home, year=2026) -> TargetsPage:
    page = TargetsPage(title=f"{year}年工作目标", slug="targets", year=year)
    as_of = datetime.date(year, 10, 31)
    page.targets = [
        Target(
            name="违法建设拆除",
            unit="平方米",
            goal=Decimal(30000),
            achieved=Decimal(24650),
            responsible_unit="区城管执法局",
            as_of=as_of,
        ),
        Target(
            name="新增停车泊位",
            unit="个",
            goal=Decimal(1050),
            achieved=Decimal(1120),
            responsible_unit="区交通协管办",
            as_of=as_of,
        ),
        Target(
            name="公共厕所新建改造",
            unit="座",
            goal=Decimal(18),
            achieved=Decimal(0),
            responsible_unit="区环卫所",
            as_of=as_of,
        ),
    ]
    return publish(home, page)


def case_study(home, **fields) -> CaseStudyPage:
    index = publish(home, CaseStudyIndexPage(title="典型案例", slug="cases"))
    town = Town.objects.get_or_create(code="320211001", defaults={"name": "蠡园街道"})[0]
    return publish(
        index,
        CaseStudyPage(
            title="农贸市场周边占道经营整治",
            slug="market",
            completed_on=datetime.date(2026, 6, 18),
            town=town,
            category=category(),
            problem="<p>早市摊点占用人行道。</p>",
            actions="<p>划定临时疏导点，设置隔离护栏。</p>",
            outcome="<p>人行道恢复通行，同类投诉下降九成。</p>",
            **fields,
        ),
    )


def news(home, items=(("hotline", "国庆假期热线正常受理", datetime.date(2026, 9, 28)),)):
    index = publish(home, NewsIndexPage(title="通知公告", slug="news"))
    pages = [
        publish(index, NewsPage(title=title, slug=slug, date=date, body=body(title + "。")))
        for slug, title, date in items
    ]
    return index, pages


def standard(home, **fields) -> StandardPage:
    return publish(
        home,
        StandardPage(
            title=fields.pop("title", "关于我们"),
            slug=fields.pop("slug", "about"),
            body=body("区城市管理局负责全区市容环境工作。"),
            **fields,
        ),
    )
