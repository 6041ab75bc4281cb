import json

import pytest
from django.urls import reverse

from complaints.models import Category, Community, Department, GridCell, Town

pytestmark = pytest.mark.django_db

MODELS = [Category, Department, Town, Community, GridCell]


@pytest.fixture
def admin_client(client, make_staff, reference_data):
    client.force_login(make_staff(None))
    return client


def url(model, action, *args):
    return reverse(f"wagtailsnippets_complaints_{model._meta.model_name}:{action}", args=args)


@pytest.mark.parametrize("model", MODELS)
def test_list_edit_and_export(admin_client, model):
    listing = admin_client.get(url(model, "list"))
    assert listing.status_code == 200
    obj = model.objects.first()
    assert str(obj.name) in listing.content.decode()
    assert admin_client.get(url(model, "edit", obj.pk)).status_code == 200
    export = admin_client.get(url(model, "list") + "?export=csv")
    assert export.status_code == 200
    assert obj.name in b"".join(export.streaming_content).decode("utf-8")


def test_admin_search_uses_the_model_index(client, make_staff, settings):
    from complaints.reference.services.reference_data import demo_geography_load

    # Saves are indexed by a background task (the worker's job); run tasks at once here.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    demo_geography_load()
    client.force_login(make_staff(None))
    response = client.get(url(Town, "list"), {"q": "胡埭"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "胡埭镇" in html and "蠡园街道" not in html


def test_invalid_extra_questions_are_refused(admin_client):
    category = Category.objects.get(kind="event", code="0102")
    edit = url(Category, "edit", category.pk)
    form = admin_client.get(edit).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for flag in ("anonymous_allowed", "public_allowed", "reward_eligible", "is_active"):
        if not data.get(flag):
            data.pop(flag, None)
    data["default_department"] = category.default_department_id
    data["extra_questions"] = json.dumps([{"key": "a b", "label": "x", "type": "text"}])
    response = admin_client.post(edit, data)
    assert response.status_code == 200
    assert "extra_questions" in response.context["form"].errors
    data["extra_questions"] = json.dumps([{"key": "plate", "label": "车牌", "type": "text"}])
    response = admin_client.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    category.refresh_from_db()
    assert category.extra_questions[0]["key"] == "plate"
