"""The photo picker on a phone: a labelled Chinese button, thumbnails of the chosen photos and a
remove button for each; the report gets exactly the photos left in the picker (issue 13)."""

import re

import pytest

from complaints.models import Report
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from tests.browser.conftest import (
    BROWSER_DB,
    assert_fits_phone_width,
    assert_no_accessibility_violations,
)
from tests.complaints.conftest import POINT, jpeg_bytes

pytestmark = BROWSER_DB


@pytest.fixture
def ready(home):
    categories_load_from_csv()
    demo_geography_load()
    return home


def test_choose_see_and_remove_photos(ready, live_server, page, artifacts):
    page.goto(live_server.url + "/report/")
    button = page.locator(".photo-picker__button")
    assert button.inner_text().strip() == "选择照片"
    assert page.locator(".photo-picker__status").inner_text().strip() == "尚未选择照片。"
    assert page.locator("input[name=photos]").bounding_box()["width"] <= 1  # the native one

    page.locator("input[name=photos]").set_input_files(
        [
            {"name": "near.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((640, 480))},
            {"name": "far.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((480, 640))},
        ]
    )
    thumbs = page.locator(".photo-picker__thumb")
    assert thumbs.count() == 2
    assert thumbs.first.evaluate("img => img.complete && img.naturalWidth") > 0
    assert page.locator(".photo-picker__status").inner_text().strip() == "已选择 2 张照片。"
    assert button.inner_text().strip() == "继续添加照片"
    assert_fits_phone_width(page)
    page.locator(".photo-picker").screenshot(path=artifacts / "photo-picker-360.png")
    assert_no_accessibility_violations(page)

    page.get_by_role("button", name="移除 near.jpg").click()
    assert thumbs.count() == 1
    assert page.locator("input[name=photos]").evaluate("i => i.files.length") == 1

    page.locator("select[name=category]").select_option(label="暴露垃圾")
    page.locator("textarea[name=description]").fill("垃圾桶周围堆满了垃圾。")
    page.locator("details.coordinates summary").click()
    page.locator("input[name=latitude]").fill(f"{POINT[0]:.6f}")
    page.locator("input[name=longitude]").fill(f"{POINT[1]:.6f}")
    page.locator("input[name=longitude]").dispatch_event("change")
    page.locator("input[name=is_anonymous]").check()
    page.get_by_role("button", name=re.compile("提交")).click()
    page.wait_for_url(re.compile(r"/receipt/$"))
    report = Report.objects.get()
    assert report.attachments.count() == 1
    assert (report.attachments.get().width, report.attachments.get().height) == (480, 640)
