"""Plans and assignments in the admin: the 督查管理 role makes a round, its objects go to the
company's inspectors in turn, and never to an inspector of the object's own responsible unit."""

import pytest
from django.urls import reverse

from complaints.models import Department, DepartmentMembership
from inspections.assignments import assignment_start
from inspections.models import Assignment, InspectionCompany, InspectionPlan
from portal import roles
from tests.inspections.builders import market, standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_staff, reference_data):
    return make_staff(roles.INSPECTION_MANAGER, "manager")


@pytest.fixture
def inspectors(make_staff, reference_data):
    return [make_staff(roles.INSPECTOR, f"inspector{n}") for n in (1, 2)]


def company(name="第三方公司", members=(), unit=None):
    made = InspectionCompany.objects.create(
        name=name, department=Department.objects.get(key=unit) if unit else None
    )
    made.members.set(members)
    return made


def plan_data(company, **extra):
    data = {
        "name": "三月菜市场",
        "month": "2026-03-15",
        "kind": "market",
        "grade": "1",
        "sample_size": "",
        "company": str(company.pk),
    }
    data.update(extra)
    return data


def test_a_plan_assigns_every_object_to_the_inspectors_in_turn(client, manager, inspectors):
    objects = [market(f"菜市场 {n}") for n in range(1, 6)]
    firm = company(members=inspectors)
    client.force_login(manager)
    response = client.post(reverse("inspection_plans:add"), plan_data(firm))
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = InspectionPlan.objects.get()
    assert plan.month.isoformat() == "2026-03-01"
    assert plan.created_by == manager
    assigned = list(plan.assignments.order_by("position"))
    assert sorted(a.object_id for a in assigned) == sorted(o.pk for o in objects)
    per_inspector = {i.pk: sum(a.inspector_id == i.pk for a in assigned) for i in inspectors}
    assert sorted(per_inspector.values()) == [2, 3]


def test_a_sample_takes_that_many_objects(client, manager, inspectors):
    for n in range(1, 8):
        market(f"菜市场 {n}")
    client.force_login(manager)
    client.post(
        reverse("inspection_plans:add"), plan_data(company(members=inspectors), sample_size="3")
    )
    assert InspectionPlan.objects.get().assignments.count() == 3


def test_an_inspector_never_gets_an_object_of_their_own_unit(client, manager, inspectors):
    """One inspector is a member of the sanitation department: the sanitation market goes to the
    other; when no inspector may take it, the plan is refused with the reason."""
    own, other = inspectors
    DepartmentMembership.objects.create(
        user=own, department=Department.objects.get(key="sanitation")
    )
    sanitation_market = market("菜市场 环卫", unit="sanitation")
    market("菜市场 执法", unit="town_enforcement")
    client.force_login(manager)
    client.post(reverse("inspection_plans:add"), plan_data(company(members=inspectors)))
    assert Assignment.objects.get(object=sanitation_market).inspector == other

    # A company that is the sanitation department itself: none of its inspectors may.
    firm = company("环卫作业公司", members=[other], unit="sanitation")
    response = client.post(reverse("inspection_plans:add"), plan_data(firm, name="四月"))
    assert response.status_code == 200
    (refusal,) = response.context["form"].non_field_errors()
    assert "菜市场 环卫" in refusal and "环卫作业公司" in refusal
    assert refusal in response.content.decode()
    assert not InspectionPlan.objects.filter(name="四月").exists()


def test_reassigning_to_an_inspector_of_the_own_unit_is_refused(client, manager, inspectors):
    own, other = inspectors
    DepartmentMembership.objects.create(
        user=own, department=Department.objects.get(key="sanitation")
    )
    market("菜市场 环卫", unit="sanitation")
    client.force_login(manager)
    client.post(reverse("inspection_plans:add"), plan_data(company(members=inspectors)))
    assignment = Assignment.objects.get()
    assert assignment.inspector == other
    url = reverse("inspection_assignments:edit", args=[assignment.pk])
    response = client.post(url, {"inspector": str(own.pk)})
    assert response.status_code == 200
    (refusal,) = response.context["form"].errors["inspector"]
    assert "菜市场 环卫" in refusal and "inspector1" in refusal
    assignment.refresh_from_db()
    assert assignment.inspector == other


def test_other_roles_do_not_see_the_plans(client, intake, manager):
    client.force_login(intake)
    assert client.get(reverse("inspection_plans:index")).status_code in (302, 403)
    client.force_login(manager)
    assert client.get(reverse("inspection_plans:index")).status_code == 200
    assert client.get(reverse("inspection_plans:add")).status_code == 200
    assert client.get(reverse("inspection_companies:add")).status_code == 200


def test_a_begun_assignment_keeps_its_inspector_and_its_plan(client, manager, inspectors):
    market("菜市场 1")
    standard(("地面垃圾", "2", "10"))
    client.force_login(manager)
    client.post(reverse("inspection_plans:add"), plan_data(company(members=inspectors)))
    assignment = Assignment.objects.get()
    plan = assignment.plan
    assignment_start(assignment=assignment)
    for url in (
        reverse("inspection_assignments:edit", args=[assignment.pk]),
        reverse("inspection_assignments:delete", args=[assignment.pk]),
        reverse("inspection_plans:delete", args=[plan.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert response.status_code == 403 or response["Location"] == reverse("wagtailadmin_home")
        assert client.post(url, {"inspector": str(inspectors[0].pk)}).status_code in (302, 403)
    assert InspectionPlan.objects.filter(pk=plan.pk).exists()
    assert Assignment.objects.get().inspector == assignment.inspector
