"""Tests for tupo.methods.textsim (jieba + scipy.sparse; no Django)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from tupo.methods.textsim import (
    BM25Index,
    TfidfIndex,
    affinity,
    char_ngrams,
    near_duplicates,
    similarity,
    tokenize,
    top_k_similar,
)

CORPUS = [
    "以党建品牌创建为抓手，推动基层党组织标准化规范化建设",  # 0
    "社区网格化管理提升基层治理效能，群众满意度明显提高",  # 1
    "财务报销流程线上化改造，审批时间缩短一半",  # 2
    "创建党建品牌，推进基层党组织规范化标准化建设的实践探索",  # 3: near 0
    "实行揭榜挂帅机制，攻克数字政务关键技术难题",  # 4
    "网格化管理与基层治理：社区服务群众的新路径",  # 5: near 1
]


def test_tokenize_drops_punctuation_and_stopwords_and_keeps_english_numbers():
    toks = tokenize("我们的2024年5G应用，AI赋能！  Hello, World.")
    assert "，" not in toks and "！" not in toks and "." not in toks
    assert "的" not in toks and "我们" not in toks
    assert "2024" in toks and "5g" in toks and "ai" in toks
    assert "hello" in toks and "world" in toks


def test_tokenize_full_width_is_normalised():
    assert "abc" in tokenize("ＡＢＣ项目") and "123" in tokenize("１２３号")


def test_user_words_are_single_tokens_without_global_side_effects():
    text = "打造党建品牌，推行揭榜挂帅"
    plain = tokenize(text)
    assert "党建品牌" not in plain  # jieba splits it by default
    custom = tokenize(text, user_words=["党建品牌", "揭榜挂帅"])
    assert "党建品牌" in custom and "揭榜挂帅" in custom
    assert tokenize(text) == plain  # the user dictionary did not leak into later calls


def test_empty_text():
    assert tokenize("") == [] and tokenize(None) == [] and tokenize("，。！ ") == []
    assert char_ngrams("") == []
    s = similarity(["", "党建"], ["党建", ""])
    assert s.shape == (2, 2)
    assert np.all(np.isfinite(s))
    assert s[0].tolist() == [0.0, 0.0] and s[1, 1] == 0.0
    idx = TfidfIndex(["", ""])
    assert idx.matrix.shape[0] == 2
    assert BM25Index([""]).scores("党建").tolist() == [0.0]


def test_identical_documents_have_similarity_one_and_disjoint_zero():
    s = similarity([CORPUS[0], "苹果香蕉"], [CORPUS[0], "火车飞机"])
    assert s[0, 0] == pytest.approx(1.0)
    assert s[1, 1] == 0.0 and s[1, 0] == 0.0


@given(
    st.lists(st.sampled_from(CORPUS + ["基层治理", "党建引领发展", "数字政务", ""]), min_size=1, max_size=6)
)
@settings(max_examples=25, deadline=None)
def test_similarity_is_symmetric_bounded_with_unit_diagonal(docs):
    s = similarity(docs, docs)
    np.testing.assert_allclose(s, s.T, atol=1e-12)
    assert s.min() >= 0.0 and s.max() <= 1.0
    for i, d in enumerate(docs):
        if tokenize(d):
            assert s[i, i] == pytest.approx(1.0)
    np.testing.assert_allclose(similarity(docs[:1], docs), similarity(docs, docs[:1]).T, atol=1e-12)


def test_index_is_sparse_and_most_similar_doc_is_the_obvious_one():
    idx = TfidfIndex(CORPUS, user_words=["党建品牌", "揭榜挂帅"])
    assert sp.issparse(idx.matrix)
    assert top_k_similar(idx, 0, 1)[0][0] == 3
    assert top_k_similar(idx, 1, 1)[0][0] == 5
    top = top_k_similar(idx, 0, 10)
    assert all(j != 0 for j, _ in top)
    assert [v for _, v in top] == sorted((v for _, v in top), reverse=True)
    with pytest.raises(IndexError):
        top_k_similar(idx, 99, 1)


def test_affinity_shape_range_and_best_match():
    reviewers = [
        "长期从事基层党组织建设和党建品牌研究",
        "数字政务技术专家，关注政务系统关键技术",
        "",
    ]
    a = affinity(reviewers, CORPUS, user_words=["党建品牌"])
    assert a.shape == (3, len(CORPUS))
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert int(np.argmax(a[0])) in (0, 3)
    assert int(np.argmax(a[1])) == 4
    assert not a[2].any()


def test_bm25_ranks_relevant_documents_first():
    bm = BM25Index(CORPUS, user_words=["揭榜挂帅"])
    hits = bm.search("揭榜挂帅 技术难题", k=3)
    assert hits[0][0] == 4
    top2 = {j for j, _ in bm.search("网格化 基层治理", k=2)}
    assert top2 == {1, 5}
    assert bm.search("完全无关的词汇xyz", k=3) == [] or all(s > 0 for _, s in bm.search("完全无关的词汇xyz"))
    assert bm.scores("").tolist() == [0.0] * len(CORPUS)


def test_bm25_prefers_shorter_document_for_same_term_frequency():
    bm = BM25Index(["党建 引领", "党建 引领 财务 报销 流程 审批 时间 缩短"])
    s = bm.scores("党建")
    assert s[0] > s[1] > 0


def test_near_duplicates_by_name():
    names = [
        "红色引擎党建品牌",
        "红色引擎·党建品牌",
        "红色引擎党建品牌创建",
        "绿色发展示范区",
        "智慧社区服务平台",
    ]
    pairs = near_duplicates(names, threshold=0.75)
    found = {(i, j) for i, j, _ in pairs}
    assert (0, 1) in found and (0, 2) in found
    assert all(3 not in p[:2] and 4 not in p[:2] for p in pairs)
    assert pairs[0][2] == pytest.approx(1.0)  # punctuation-only difference
