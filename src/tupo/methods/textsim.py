"""Text similarity for Chinese (and mixed English/number) text: TF-IDF, cosine, BM25.

Pure Python + numpy/scipy + jieba, no Django.  Uses:

* reviewer-proposal affinity for assignment (:func:`affinity`),
* "similar cases" (:func:`top_k_similar`, :class:`BM25Index` for search ranking),
* near-duplicate detection of suggestions / brand names (:func:`near_duplicates`, which by
  default compares character bigrams so that short names like "红色引擎党建品牌" and
  "红色引擎党建品牌创建" are caught even when word segmentation differs).

Segmentation: jieba's precise mode.  Domain terms passed as ``user_words`` are protected
*before* jieba runs (the text is split around them), so they always come out as one token and
jieba's global dictionary is never modified -- calls with different word lists do not
interfere with each other.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

__all__ = [
    "BM25Index",
    "TfidfIndex",
    "affinity",
    "char_ngrams",
    "near_duplicates",
    "similarity",
    "tokenize",
    "top_k_similar",
]

_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba():
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba


# A compact stop list: function words and generic boilerplate of proposals / reports.
STOPWORDS = frozenset(
    """
    的 了 和 与 及 或 在 是 为 对 把 被 将 从 以 于 等 也 就 都 而 并 其 之 中 上 下 个 这 那 有 我 你 他 她 它
    我们 你们 他们 她们 它们 一个 一些 这个 那个 这些 那些 以及 并且 或者 但是 因为 所以 如果 通过 进行 开展
    有关 关于 对于 其中 没有 不 没 很 更 最 还 又 再 已 已经 可以 能够 需要 应当 应该 要 会 能 着 过 吧 吗 呢 啊
    a an and are as at be by for from has have in is it its of on or that the this to was were will with
    """.split()
)

_TOKEN_OK = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]", re.IGNORECASE)
_ASCII_RUN = re.compile(r"^[0-9a-z][0-9a-z._+\-]*$")


def _normalise(text: str) -> str:
    # NFKC folds full-width letters/digits (ＡＢＣ１２３) to ASCII; lower-case English.
    return unicodedata.normalize("NFKC", text or "").lower()


@lru_cache(maxsize=64)
def _user_pattern(words: tuple[str, ...]):
    words = tuple(sorted({_normalise(w).strip() for w in words if w and w.strip()}, key=len, reverse=True))
    if not words:
        return None, frozenset()
    return re.compile("|".join(re.escape(w) for w in words)), frozenset(words)


def _clean_token(tok: str) -> str | None:
    tok = tok.strip()
    if not tok or not _TOKEN_OK.search(tok):
        return None  # whitespace / punctuation only
    if tok in STOPWORDS:
        return None
    if tok.isascii():
        tok = tok.strip("._+-")
        if not tok or not _ASCII_RUN.match(tok):
            return None
    return tok


def tokenize(text: str, user_words: Iterable[str] = ()) -> list[str]:
    """Segment ``text`` into content tokens.

    Chinese via jieba (precise mode); English words and numbers come out lower-cased as whole
    tokens ("5G", "2024", "ai"); punctuation, whitespace and stopwords are dropped; every
    ``user_words`` entry found in the text is one token.  Empty/None text gives ``[]``.
    """
    text = _normalise(text)
    if not text.strip():
        return []
    pattern, protected = _user_pattern(tuple(user_words))
    pieces: list[tuple[str, bool]] = []
    if pattern is None:
        pieces.append((text, False))
    else:
        pos = 0
        for m in pattern.finditer(text):
            if m.start() > pos:
                pieces.append((text[pos : m.start()], False))
            pieces.append((m.group(0), True))
            pos = m.end()
        if pos < len(text):
            pieces.append((text[pos:], False))
    jb = None
    out: list[str] = []
    for piece, is_user in pieces:
        if is_user:
            out.append(piece)
            continue
        if jb is None:
            jb = _jieba()
        for tok in jb.lcut(piece, HMM=True):
            t = _clean_token(tok)
            if t is not None:
                out.append(t)
    return out


def char_ngrams(text: str, n: int = 2) -> list[str]:
    """Character n-grams of the text with punctuation/whitespace removed (for short names)."""
    s = "".join(ch for ch in _normalise(text) if _TOKEN_OK.match(ch))
    if not s:
        return []
    if len(s) < n:
        return [s]
    return [s[i : i + n] for i in range(len(s) - n + 1)]


def _analyze(text: str, analyzer: str, user_words: Sequence[str]) -> list[str]:
    if analyzer == "word":
        return tokenize(text, user_words)
    if analyzer == "char":
        return char_ngrams(text, 2)
    if analyzer == "word+char":
        return tokenize(text, user_words) + ["#" + g for g in char_ngrams(text, 2)]
    raise ValueError("analyzer must be 'word', 'char' or 'word+char'")


def _count_matrix(token_lists: list[list[str]], vocab: dict[str, int], grow: bool) -> sp.csr_matrix:
    indptr = [0]
    indices: list[int] = []
    for toks in token_lists:
        for t in toks:
            j = vocab.get(t)
            if j is None:
                if not grow:
                    continue
                j = vocab[t] = len(vocab)
            indices.append(j)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=float)
    m = sp.csr_matrix(
        (data, np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
        shape=(len(token_lists), len(vocab)),
    )
    m.sum_duplicates()
    return m


def _l2_normalise(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(inv) @ m)


class TfidfIndex:
    """TF-IDF document vectors (rows L2-normalised, scipy.sparse CSR).

    tf = 1 + ln(count) (sublinear), idf = ln((1 + N) / (1 + df)) + 1 (smoothed, never zero,
    so identical documents have cosine 1 even when every term occurs everywhere).
    """

    def __init__(self, documents: Sequence[str], *, user_words: Sequence[str] = (), analyzer: str = "word"):
        self.user_words = tuple(user_words)
        self.analyzer = analyzer
        self.vocabulary: dict[str, int] = {}
        tokens = [_analyze(d, analyzer, self.user_words) for d in documents]
        counts = _count_matrix(tokens, self.vocabulary, grow=True)
        n = counts.shape[0]
        df = np.bincount(counts.indices, minlength=len(self.vocabulary))
        self.idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        self.matrix = self._weight(counts)
        self.n_docs = n

    def _weight(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        c = counts.copy()
        c.data = 1.0 + np.log(c.data)
        c = sp.csr_matrix(c @ sp.diags(self.idf)) if c.shape[1] else c
        return _l2_normalise(c)

    def transform(self, documents: Sequence[str]) -> sp.csr_matrix:
        """Vectors for new documents in this index's space (unknown terms are ignored)."""
        tokens = [_analyze(d, self.analyzer, self.user_words) for d in documents]
        return self._weight(_count_matrix(tokens, self.vocabulary, grow=False))

    def similarity(self, documents: Sequence[str] | None = None) -> np.ndarray:
        """Cosine similarity of ``documents`` (default: the indexed ones) to every indexed doc."""
        q = self.matrix if documents is None else self.transform(documents)
        return np.clip((q @ self.matrix.T).toarray(), 0.0, 1.0)


Corpus = TfidfIndex  # alias used in the design notes


def similarity(
    query_docs: Sequence[str],
    corpus_docs: Sequence[str],
    *,
    user_words: Sequence[str] = (),
    analyzer: str = "word",
) -> np.ndarray:
    """Cosine TF-IDF similarity matrix (len(query_docs), len(corpus_docs)) in [0, 1].

    IDF is fitted on both sets together, so ``similarity(a, b)`` equals ``similarity(b, a).T``.
    """
    query_docs, corpus_docs = list(query_docs), list(corpus_docs)
    idx = TfidfIndex(query_docs + corpus_docs, user_words=user_words, analyzer=analyzer)
    q = idx.matrix[: len(query_docs)]
    c = idx.matrix[len(query_docs) :]
    return np.clip((q @ c.T).toarray(), 0.0, 1.0)


def top_k_similar(
    index: TfidfIndex, doc_id: int, k: int = 5, *, min_similarity: float = 0.0
) -> list[tuple[int, float]]:
    """The ``k`` indexed documents most similar to document ``doc_id`` (itself excluded),
    as (doc index, cosine) best first; ties broken by lower index."""
    if not 0 <= doc_id < index.n_docs:
        raise IndexError(doc_id)
    row = (index.matrix[doc_id] @ index.matrix.T).toarray().ravel()
    row[doc_id] = -1.0
    order = np.lexsort((np.arange(row.size), -row))
    out = []
    for j in order[:k]:
        if row[j] < 0 or row[j] <= min_similarity and min_similarity > 0:
            break
        out.append((int(j), float(min(row[j], 1.0))))
    return out


def affinity(
    reviewer_texts: Sequence[str], item_texts: Sequence[str], *, user_words: Sequence[str] = ()
) -> np.ndarray:
    """Reviewer x item affinity in [0, 1] (TF-IDF cosine over jieba words) for assignment.

    A reviewer's text is whatever describes their expertise (title, field, past proposals,
    concatenated).  Empty texts give an all-zero row/column.
    """
    return similarity(reviewer_texts, item_texts, user_words=user_words, analyzer="word")


def near_duplicates(
    texts: Sequence[str], threshold: float = 0.75, *, analyzer: str = "char", user_words: Sequence[str] = ()
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, cosine) with i < j and cosine >= threshold, most similar first.

    Default analyzer compares character bigrams, robust for short names and titles; use
    ``analyzer="word+char"`` for longer suggestion texts.
    """
    idx = TfidfIndex(list(texts), user_words=user_words, analyzer=analyzer)
    sim = sp.triu(idx.matrix @ idx.matrix.T, k=1).tocoo()
    keep = sim.data >= threshold - 1e-12
    pairs = [
        (int(i), int(j), float(min(v, 1.0)))
        for i, j, v in zip(sim.row[keep], sim.col[keep], sim.data[keep], strict=True)
    ]
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs


class BM25Index:
    """Okapi BM25 for search ranking.

    score(q, d) = sum_{t in q} idf(t) * tf(t,d) (k1 + 1) / (tf(t,d) + k1 (1 - b + b |d| / avgdl))
    with idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)) (the non-negative Lucene form).
    Repeated query terms count once per occurrence.
    """

    def __init__(
        self,
        documents: Sequence[str],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        user_words: Sequence[str] = (),
        analyzer: str = "word",
    ):
        self.k1, self.b = float(k1), float(b)
        self.user_words = tuple(user_words)
        self.analyzer = analyzer
        self.vocabulary: dict[str, int] = {}
        tokens = [_analyze(d, analyzer, self.user_words) for d in documents]
        tf = _count_matrix(tokens, self.vocabulary, grow=True).tocsc()
        self.n_docs = tf.shape[0]
        dl = np.array([len(t) for t in tokens], dtype=float)
        avgdl = dl.mean() if dl.size and dl.mean() > 0 else 1.0
        df = np.diff(tf.indptr)
        self.idf = np.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))
        tf = tf.tocsr()
        rows = np.repeat(np.arange(self.n_docs), np.diff(tf.indptr))
        denom = tf.data + self.k1 * (1.0 - self.b + self.b * dl[rows] / avgdl)
        w = tf.copy()
        w.data = tf.data * (self.k1 + 1.0) / denom
        self.weights = sp.csc_matrix(w @ sp.diags(self.idf)) if w.shape[1] else w.tocsc()

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (zeros when no query term is known)."""
        qv = np.zeros(len(self.vocabulary))
        for t in _analyze(query, self.analyzer, self.user_words):
            j = self.vocabulary.get(t)
            if j is not None:
                qv[j] += 1.0
        if not qv.any():
            return np.zeros(self.n_docs)
        return np.asarray(self.weights @ qv).ravel()

    def search(self, query: str, k: int = 10) -> list[tuple[int, float]]:
        """Top ``k`` (doc index, score) with a positive score, best first."""
        s = self.scores(query)
        order = np.lexsort((np.arange(s.size), -s))
        return [(int(j), float(s[j])) for j in order[:k] if s[j] > 0]
