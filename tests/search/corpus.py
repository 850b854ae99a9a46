"""The fixed Chinese search corpus lives with the demo data, so the demo and the quality test share it."""

from tupo.cases.demo_corpus import CASES, QUERIES  # noqa: F401
