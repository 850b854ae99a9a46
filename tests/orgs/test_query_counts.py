"""Query-count guards: lists and dashboards stay bounded whatever the size of the data."""

import datetime as dt

import pytest
from tests.factories import make_org, make_person


@pytest.fixture
def bigger(tree):
    for i in range(12):
        org = make_org(f"V{i}", tree.town_a, org_type="branch", org_category="rural")
        for j in range(3):
            make_person(org, name=f"人{i}-{j}", birth=dt.date(1960 + i, 1 + j, 1))
    return tree


@pytest.mark.parametrize("url", ["/orgs/{town_a}/", "/orgs/people/", "/orgs/{county}/dashboard/",
                                 "/orgs/people/?org={town_a}&page=2", "/"])
def test_pages_run_a_bounded_number_of_queries(bigger, personas, login, django_assert_max_num_queries, url):
    c = login(personas.dept_admin)
    url = url.format(town_a=bigger.town_a.pk, county=bigger.county.pk)
    with django_assert_max_num_queries(40):
        assert c.get(url).status_code == 200


def test_the_org_page_does_not_grow_with_the_number_of_children(tree, personas, login, django_assert_num_queries):
    c = login(personas.dept_admin)
    c.get(f"/orgs/{tree.town_a.pk}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        c.get(f"/orgs/{tree.town_a.pk}/")
    for i in range(6):
        make_org(f"K{i}", tree.town_a, org_type="branch", org_category="rural")
    with CaptureQueriesContext(connection) as after:
        c.get(f"/orgs/{tree.town_a.pk}/")
    assert len(after) == len(before)


def test_counts_of_deep_children_match_their_subtrees(tree, personas):
    from tupo.orgs.queries import children_with_counts
    from tupo.orgs.stats import live_figures

    leaf_parent = make_org("D1", tree.branch_a11, org_type="branch", org_category="rural")
    deep = make_org("D2", leaf_parent, org_type="branch", org_category="rural")
    make_person(deep, name="深")
    for child in children_with_counts(tree.branch_a11) + children_with_counts(leaf_parent):
        fig = live_figures(child.path)
        assert (child.subtree_orgs, child.subtree_people) == (fig.get_count("orgs"), fig.get_count("people"))
