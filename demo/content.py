"""The demo page tree, written in Chinese from the district's city-management work plan."""

import datetime
import json
from urllib.parse import urlsplit

from django.conf import settings
from wagtail.models import Page, Site

from cms.models import (
    CampaignGalleryImage,
    CampaignIndexPage,
    CampaignPage,
    CaseStudyIndexPage,
    CaseStudyPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PortalSettings,
    RewardSchemePage,
    StandardPage,
    Target,
    TargetsPage,
)
from complaints.models import Category, Community, Department, Town
from demo.english import translate_site
from demo.images import demo_image, demo_scene_image

YEAR = 2026


def stream(*blocks) -> str:
    return json.dumps(
        [{"type": kind, "value": value} for kind, value in blocks], ensure_ascii=False
    )


def paragraph(html: str):
    return ("paragraph", html)


def heading(text: str, level: str = "h2"):
    return ("heading", {"text": text, "level": level})


class TreeBuilder:
    """Adds pages that are missing and leaves existing ones alone (editors may have changed them)."""

    def __init__(self):
        self.created = 0

    def child(self, parent: Page, model, slug: str, **fields):
        existing = parent.get_children().filter(slug=slug).first()
        if existing is not None:
            return existing.specific
        related = fields.pop("_related", {})
        page = model(slug=slug, **fields)
        for name, items in related.items():
            setattr(page, name, items)
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.created += 1
        return page


def _home(builder: TreeBuilder) -> HomePage:
    root = Page.get_first_root_node()
    home = HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
    if home is None:
        # Wagtail's initial migration leaves a plain "Welcome" page with the slug we want.
        for page in root.get_children().filter(slug="home"):
            if not isinstance(page.specific, HomePage):
                page.delete()
        home = builder.child(
            root,
            HomePage,
            "home",
            title="滨湖城管",
            hero_title="共建整洁有序的美丽滨湖",
            hero_text="发现市容环境和城市秩序问题，随手拍、随时报；我们限时处置，全程可查，办结请您评价。",
            intro="<p>区城市管理局以“大联动”“网格化”为抓手，深化市容环境综合整治，"
            "着力提升湖湾型城区城市管理水平。欢迎广大市民参与城市管理、监督我们的工作。</p>",
            listing_summary="区城市管理公众服务平台：投诉、举报、进度查询与满意度评价。",
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(is_default_site=True)
    # The Site's address is the portal's public one, so the sitemap and Wagtail's links agree
    # with the links in SMS and e-mail (PORTAL_BASE_URL; `make run` sets it from PORT).
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    site.hostname = base.hostname or "localhost"
    site.port = base.port or (443 if base.scheme == "https" else 80)
    site.root_page = home
    site.site_name = "滨湖区城市管理公众服务平台"
    site.save()
    PortalSettings.objects.update_or_create(
        site=site,
        defaults={
            "district_name": "滨湖区",
            "bureau_name": "城市管理局",
            "hotline": "12319",
            "address": "滨湖区太湖新城观山路 1 号（示例地址）",
            "footer_text": "本平台受理市容环境、街面秩序、违法建设、宣传广告等城市管理问题。"
            "紧急情况请拨打 110 或 119。",
            "district_name_en": "Binhu District",
            "bureau_name_en": "Urban Management Bureau",
            "address_en": "1 Guanshan Road, Taihu New Town, Binhu District (sample address)",
            "footer_text_en": "This site takes reports on the cityscape and environment, street "
            "order, illegal construction, advertising and other urban management problems. In an "
            "emergency call 110 or 119.",
        },
    )
    return home


def _departments(*keys) -> list[Department]:
    return list(Department.objects.filter(key__in=keys))


def _categories(*codes) -> list[Category]:
    return list(Category.objects.filter(kind="event", code__in=codes))


def _campaigns(builder: TreeBuilder, home: HomePage) -> None:
    index = builder.child(
        home,
        CampaignIndexPage,
        "campaigns",
        title="专项行动",
        show_in_menus=True,
        intro="<p>围绕市容热点难点问题，开展联勤联动、网格化管理和集中整治行动。</p>",
        listing_summary="市容热点难点整治、网格化建设、违建治理和“太湖杯”创优竞赛。",
    )
    # Each campaign its own street (demo/images.py): the seed picks the problem the
    # "before" picture shows (seed % 4: litter, a stall, graffiti, a broken railing).
    stalls = scene_pair("大联动整治街面", 101)
    patrolled = scene_pair("网格化巡查街道", 104)
    contest = scene_pair("创优竞赛街道", 110)
    rows = scene_pair("连片整治街道", 112)
    campaigns = [
        {
            "slug": "hot-spots-joint-enforcement",
            "title": "市容热点难点问题“大联动”集中整治",
            "start_date": datetime.date(YEAR, 3, 1),
            "end_date": datetime.date(YEAR, 12, 31),
            "lead_unit": "区联勤联动主管部门",
            "departments": ("district_enforcement", "town_enforcement", "traffic_coordination"),
            "categories": ("0501", "0502", "0504", "0105", "0106", "0107", "0201", "0202", "0203"),
            "goals": "<ul><li>完成不少于 45 个市容热点难点问题的整改提升</li>"
            "<li>选取 9 个农贸市场作为联动整治重点项目</li>"
            "<li>完成不少于 45 公里道路“三乱”治理市场化运作</li></ul>",
            "body": stream(
                heading("整治重点"),
                paragraph(
                    "<p>针对无证设摊、占道经营、停车秩序、偷倒垃圾、废品回收站、洗车场点、"
                    "“三乱”等问题，定期开展集中整治行动，着力解决易发频发和回潮反复现象。</p>"
                ),
                heading("市民如何参与"),
                paragraph(
                    "<p>发现上述问题，可通过本平台“我要投诉”随手拍上报，或拨打 12319 热线。"
                    "符合条件的违法行为举报可按规定获得奖励。</p>"
                ),
            ),
            "gallery": [
                (stalls[1], "整治后通行顺畅的街道", "整治后的街面"),
                (stalls[0], "路边摊点占用人行道", "整治前的农贸市场周边"),
            ],
            "summary": "联勤联动，集中整治无证设摊、占道经营、停车秩序和“三乱”等热点难点问题。",
        },
        {
            "slug": "grid-management",
            "title": "社区城市管理“网格化”建设",
            "start_date": datetime.date(YEAR, 1, 1),
            "end_date": datetime.date(YEAR, 12, 31),
            "lead_unit": "区城市管理局",
            "departments": ("district_enforcement", "town_enforcement"),
            "categories": ("0102", "0103", "0104"),
            "goals": "<ul><li>全区所有村（社区）全面实施城市管理网格化</li>"
            "<li>绘制完成城市管理网格布局图</li><li>实现网格区域管理责任全覆盖</li></ul>",
            "body": stream(
                paragraph(
                    "<p>以村（社区）为单元划分管理网格，每个网格明确责任人和责任单位，"
                    "问题发现、派遣、处置、核查全流程闭环管理。</p>"
                )
            ),
            "gallery": [(patrolled[1], "网格员巡查后整洁的街道", "网格化巡查")],
            "summary": "在全区所有村（社区）实施网格化管理，实现网格区域管理责任全覆盖。",
        },
        {
            "slug": "illegal-construction",
            "title": "违法建设整治“零增长”行动",
            "start_date": datetime.date(YEAR, 2, 1),
            "end_date": datetime.date(YEAR, 12, 31),
            "lead_unit": "区城管执法局",
            "departments": ("district_enforcement", "town_enforcement"),
            "categories": ("0101", "0304"),
            "goals": "<ul><li>全区完成 30000 平方米违法建设拆除任务</li>"
            "<li>完成 27 个以上“无违建村（社区）”创建</li>"
            "<li>新增违建零增长、历史违建负增长</li></ul>",
            "body": stream(
                paragraph(
                    "<p>始终保持违法建设整治高压态势，充分发挥属地监管和防控作用，"
                    "重点在查处和拆除环节加大力度。</p>"
                )
            ),
            "gallery": [],
            "summary": "新增违建零增长、历史违建负增长，全年拆除违法建设 30000 平方米。",
        },
        {
            "slug": "taihu-cup-contest",
            "title": "“太湖杯”城管创优竞赛",
            "start_date": datetime.date(YEAR, 1, 1),
            "end_date": None,
            "lead_unit": "区城市管理委员会办公室",
            "departments": ("district_enforcement",),
            "categories": (),
            "goals": "<ul><li>引入第三方监督考核，按月排名通报</li>"
            "<li>考核结果与各镇（街道）绩效挂钩</li></ul>",
            "body": stream(
                paragraph("<p>以市民满意度和问题按期办结率为核心指标，开展全区城管创优竞赛。</p>")
            ),
            "gallery": [(contest[1], "创优竞赛中整洁有序的街道", "创优成果：街面整洁")],
            "summary": "第三方监督考核、按月排名，以市民满意为标准比学赶超。",
        },
        {
            "slug": "community-environment-2025",
            "title": "社区环境“连片整治”（2025 年）",
            "start_date": datetime.date(YEAR - 1, 3, 1),
            "end_date": datetime.date(YEAR - 1, 12, 31),
            "lead_unit": "各镇（街道）",
            "departments": ("town_enforcement", "sanitation", "greening"),
            "categories": ("0102", "0103"),
            "goals": "<p>围绕市容秩序、环境卫生、沿街景观、基础设施，对全区所有村（社区）实施连片整治。</p>",
            "body": stream(
                paragraph("<p>该行动已于 2025 年底完成，全区所有村（社区）整治到位。</p>")
            ),
            "gallery": [
                (rows[1], "连片整治后干净整洁的街道", "整治后的社区街道"),
                (rows[0], "整治前路边散落垃圾", "整治前的社区街道"),
            ],
            "summary": "已完成：全区所有村（社区）环境连片整治到位。",
        },
    ]
    for spec in campaigns:
        gallery = [
            CampaignGalleryImage(image=image, alt_text=alt, caption=caption, sort_order=i)
            for i, (image, alt, caption) in enumerate(spec["gallery"])
        ]
        page = builder.child(
            index,
            CampaignPage,
            spec["slug"],
            title=spec["title"],
            start_date=spec["start_date"],
            end_date=spec["end_date"],
            lead_unit=spec["lead_unit"],
            goals=spec["goals"],
            body=spec["body"],
            listing_summary=spec["summary"],
            listing_image=spec["gallery"][0][0] if spec["gallery"] else None,
            _related={
                "gallery_images": gallery,
                "responsible_departments": _departments(*spec["departments"]),
                "categories": _categories(*spec["categories"]),
            },
        )
        del page


TARGETS = [
    # name, unit, goal, achieved, responsible unit
    ("市容热点难点问题整改提升", "个", 45, 38, "区联勤联动主管部门"),
    ("道路“三乱”治理市场化运作", "公里", 45, 45, "区城管执法局"),
    ("违法建设拆除", "平方米", 30000, 24650, "区城管执法局、各镇（街道）"),
    ("无违建村（社区）创建", "个", 27, 21, "各镇（街道）"),
    ("街景整治道路", "条", 9, 7, "区城市管理局"),
    ("背街小巷整治", "条", 9, 9, "各镇（街道）"),
    ("公共厕所新建改造", "座", 18, 14, "区环卫所"),
    ("新增绿化面积", "万平方米", 415, 352, "区绿化所"),
    ("绿化覆盖率", "%", 40, 39.2, "区绿化所"),
    ("花园式住宅小区创建", "个", 9, 6, "区绿化所、各镇（街道）"),
    ("新增停车泊位", "个", 1050, 1120, "区交通协管办"),
    ("垃圾桶清洗点建设", "个", 97, 80, "区环卫所"),
    ("垃圾分类试点小区", "个", 9, 9, "区环卫所"),
]


def _targets(builder: TreeBuilder, home: HomePage) -> None:
    as_of = datetime.date(YEAR, 10, 31)
    builder.child(
        home,
        TargetsPage,
        "targets",
        title=f"{YEAR}年城市管理工作目标",
        show_in_menus=True,
        year=YEAR,
        intro="<p>以下为区城市管理年度工作目标及完成进度，每月更新。</p>",
        listing_summary="年度目标与完成进度：违建拆除、背街小巷、公厕、绿化、停车泊位等。",
        _related={
            "targets": [
                Target(
                    name=name,
                    unit=unit,
                    goal=goal,
                    achieved=achieved,
                    responsible_unit=unit_name,
                    as_of=as_of,
                    sort_order=i,
                )
                for i, (name, unit, goal, achieved, unit_name) in enumerate(TARGETS)
            ]
        },
    )


def scene_pair(place: str, seed: int) -> tuple:
    """A street's "before" and "after" pictures (the same street, with and without its problem)."""
    return (
        demo_scene_image(f"{place}（整治前）", seed, after=False),
        demo_scene_image(f"{place}（整治后）", seed, after=True),
    )


def _case_studies(builder: TreeBuilder, home: HomePage) -> None:
    index = builder.child(
        home,
        CaseStudyIndexPage,
        "cases",
        title="典型案例",
        show_in_menus=True,
        intro="<p>市民反映、部门处置、效果可见：精选城市管理问题办理的典型案例。</p>",
        listing_summary="市民反映的问题如何得到解决：整治前后对比。",
    )
    market = scene_pair("农贸市场周边街道", 201)
    alley = scene_pair("背街小巷", 204)
    roof_before = demo_image("屋顶违法建设拆除前", ("#b6c3cf", "#e0e4e8"), "clutter")
    roof_after = demo_image("屋顶违法建设拆除后", ("#9ecbf0", "#e9eef3"), "street")
    cases = [
        (
            "market-road-occupation",
            "农贸市场周边占道经营整治",
            datetime.date(YEAR, 6, 18),
            "0502",
            (market[0], "摊点占用人行道和非机动车道", market[1], "整治后人行道畅通"),
            "<p>市民多次反映农贸市场周边早市摊点占用人行道，高峰时段行人只能走机动车道。</p>",
            "<ol><li>镇城管中队与市场管理方联动，划定临时疏导点</li>"
            "<li>设置隔离护栏和标线</li><li>建立早晚高峰巡查和网格员包干制度</li></ol>",
            "<p>人行道恢复通行，三个月内同类投诉下降九成，市民满意度回访“满意”。</p>",
        ),
        (
            "back-alley-renovation",
            "背街小巷环境整治",
            datetime.date(YEAR, 8, 30),
            "0103",
            (alley[0], "小巷堆放杂物和垃圾", alley[1], "整治后小巷干净整洁"),
            "<p>老旧小区背街小巷长期堆积杂物，垃圾清运不及时，夏季异味明显。</p>",
            "<ul><li>清理堆积物 30 余吨</li><li>增设分类垃圾桶和清洗点</li><li>补植绿化 600 平方米</li></ul>",
            "<p>小巷环境焕然一新，纳入长效保洁，居民自发组建志愿巡查队。</p>",
        ),
        (
            "illegal-construction-demolition",
            "屋顶违法建设依法拆除",
            datetime.date(YEAR, 9, 12),
            "0304",
            (roof_before, "屋顶搭建的违法建筑", roof_after, "拆除后恢复原貌的屋顶"),
            "<p>市民举报某小区屋顶新增违法搭建，存在安全隐患。</p>",
            "<p>区城管执法局依法立案调查、下达限期拆除决定，当事人自行拆除，执法人员现场核查。</p>",
            "<p>拆除违法建设 260 平方米；举报人按规定获得奖励。</p>",
        ),
    ]
    places = {
        "market-road-occupation": ("河埒街道", "河埒社区"),
        "back-alley-renovation": ("蠡园街道", "西园弄社区"),
        "illegal-construction-demolition": ("胡埭镇", "胡埭社区"),
    }
    for slug, title, completed, category_code, photos, problem, actions, outcome in cases:
        town_name, community_name = places[slug]
        before_image, before_alt, after_image, after_alt = photos
        builder.child(
            index,
            CaseStudyPage,
            slug,
            title=title,
            completed_on=completed,
            town=Town.objects.filter(name=town_name).first(),
            community=Community.objects.filter(town__name=town_name, name=community_name).first(),
            category=Category.objects.filter(kind="event", code=category_code).first(),
            before_image=before_image,
            before_alt_text=before_alt,
            after_image=after_image,
            after_alt_text=after_alt,
            problem=problem,
            actions=actions,
            outcome=outcome,
            listing_image=after_image,
            listing_summary=title + "：整治前后对比。",
        )


def _news(builder: TreeBuilder, home: HomePage) -> None:
    index = builder.child(
        home,
        NewsIndexPage,
        "news",
        title="通知公告",
        show_in_menus=True,
        listing_summary="城市管理通知、公告和工作动态。",
    )
    items = [
        (
            "reward-scheme",
            "关于市民举报城市管理违法行为奖励办法的公告",
            datetime.date(YEAR, 3, 1),
            NewsPage.Kind.NOTICE,
            "<p>为鼓励市民参与城市管理，区设立举报奖励资金。对无证设摊、偷倒垃圾、违法建设等"
            "违法行为的首个有效举报，经核实后按规定给予奖励；举报人信息严格保密。</p>",
        ),
        (
            "hot-spots-launch",
            "市容热点难点问题“大联动”集中整治行动启动",
            datetime.date(YEAR, 3, 5),
            NewsPage.Kind.NEWS,
            "<p>3 月 5 日，全区“大联动”集中整治行动正式启动，9 个农贸市场列为联动整治重点。</p>",
        ),
        (
            "garbage-sorting-pilot",
            "9 个垃圾分类试点小区全部建成",
            datetime.date(YEAR, 9, 20),
            NewsPage.Kind.NEWS,
            "<p>全区 9 个垃圾分类试点小区已全部建成投用，配套建设垃圾桶清洗点。</p>",
        ),
        (
            "national-day-hotline",
            "国庆假期城市管理热线正常受理的通知",
            datetime.date(YEAR, 9, 28),
            NewsPage.Kind.NOTICE,
            "<p>国庆假期期间，12319 城市管理热线和本平台正常受理，紧急问题 2 小时内响应。</p>",
        ),
    ]
    for slug, title, date, kind, html in items:
        builder.child(
            index,
            NewsPage,
            slug,
            title=title,
            date=date,
            kind=kind,
            body=stream(paragraph(html)),
            listing_summary=title,
        )


def _standard_pages(builder: TreeBuilder, home: HomePage) -> None:
    builder.child(
        home,
        StandardPage,
        "about",
        title="关于我们",
        show_in_menus=True,
        listing_summary="区城市管理局的职责和本平台的服务范围。",
        body=stream(
            paragraph(
                "<p>区城市管理局负责全区市容环境、街面秩序、违法建设治理、环境卫生和园林绿化等"
                "城市管理工作，建立区、镇（街道）、村（社区）三级数字城管平台。</p>"
            ),
            heading("办理流程"),
            paragraph(
                "<ol><li>受理：收到您的投诉并生成查询编号</li><li>立案：确认问题属于城市管理范围</li>"
                "<li>派遣：交由责任单位限时处置</li><li>处置与核查：处置完成后由监督员现场核查</li>"
                "<li>结案与评价：结案后请您对办理结果评价</li></ol>"
            ),
        ),
    )
    builder.child(
        home,
        StandardPage,
        "privacy",
        title="个人信息保护说明",
        listing_summary="我们如何保护投诉人和举报人的个人信息。",
        body=stream(
            paragraph(
                "<p>您提供的姓名、电话和邮箱加密存储，仅用于联系您和告知办理进展；"
                "处置单位看不到举报人的身份信息；任何查看都会被记录。</p>"
            )
        ),
    )


def _reward_scheme(builder: TreeBuilder, home: HomePage) -> None:
    builder.child(
        home,
        RewardSchemePage,
        "rewards",
        title="有奖举报",
        show_in_menus=True,
        listing_summary="举报市容环境和城市秩序违法行为，经查实后按公布的标准给予奖励。",
        intro="<p>为鼓励市民参与城市管理，区城市管理局设立有奖举报专项资金。"
        "对列入奖励范围的违法违规行为，首位实名举报并经核查属实、结案的举报人，"
        "按下列标准给予奖励。</p>",
        body=stream(
            heading("奖励规则"),
            paragraph(
                "<ul><li>同一违法行为（同一网格、同一类别、同一天）只奖励最先举报的人；"
                "联名举报的，奖金平均分配。</li>"
                "<li>每人每天、每月获得奖励的次数有上限；城市管理工作人员及其亲属不在奖励范围内。</li>"
                "<li>须在发现违法行为后规定天数内举报，并提供近景、远景照片、发现时间和准确位置。</li>"
                "<li>奖励由奖励专员审核提出、另一名审批人批准后发放，资金收支逐笔登记、接受审计。</li></ul>"
            ),
            heading("如何查询"),
            paragraph(
                "<p>提交举报后，页面会显示一次回执码，请务必抄写或拍照保存。"
                "凭回执码可以查询办理结果、奖励审核结果和发放情况，无需注册账号。</p>"
            ),
        ),
    )


def seed_site(*, stdout) -> int:
    """Create whatever part of the demo page tree is missing; returns how many pages it added.

    The Chinese tree first, then English translations of its main pages (demo/english.py).
    """
    builder = TreeBuilder()
    home = _home(builder)
    _campaigns(builder, home)
    _targets(builder, home)
    _case_studies(builder, home)
    _news(builder, home)
    _standard_pages(builder, home)
    _reward_scheme(builder, home)
    return builder.created + translate_site(home=home)
