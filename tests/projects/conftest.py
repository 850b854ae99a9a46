import pytest

from tests.topics.helpers import OPEN_AT, build, travel


@pytest.fixture
def world(tree, personas):
    with travel(OPEN_AT):
        yield build(tree, personas)
