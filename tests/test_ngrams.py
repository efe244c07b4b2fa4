"""Hashed character n-gram vectors: shape, normalisation, stability, neighbourhoods, and a FAISS
index checked against brute force."""

from __future__ import annotations

import random
import subprocess
import sys

import faiss
import numpy as np

from service.features.ngrams import DIM, name_vector, name_vectors


def test_vectors_are_float32_unit_length_and_empty_names_are_zero() -> None:
    vec = name_vector("Tehreek-e-Taliban Pakistan", "ttp_media")
    assert vec.shape == (DIM,) and vec.dtype == np.float32
    assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-5
    assert not name_vector("", "").any()
    assert not name_vector("🔴 ✔ \u200b", "").any()


def test_vectors_are_identical_across_processes() -> None:
    """Hashing must not depend on Python's per-process hash seed, or indexes break on restart."""
    code = (
        "from service.features.ngrams import name_vector;"
        "print(name_vector('TTP Media', 'ttp_media2').round(6).tolist())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    here = name_vector("TTP Media", "ttp_media2").round(6).tolist()
    assert eval(out.stdout) == here  # noqa: S307 - our own subprocess's list literal


def test_evasions_are_nearer_than_other_names() -> None:
    source = name_vector("Tehreek-e-Taliban Pakistan")
    evasions = [
        "Tеhrееk-e-Taliban Pakistan 🔴",
        "𝐓𝐞𝐡𝐫𝐞𝐞𝐤 𝐞 𝐓𝐚𝐥𝐢𝐛𝐚𝐧 𝐏𝐚𝐤𝐢𝐬𝐭𝐚𝐧",
        "TehrikTaliban Pakistan",
        "Pakistan Tehreek Taliban official",
    ]
    near_namesake = "Tehreek-e-Insaf Pakistan"  # shares two of three words
    others = ["Lashkar-e-Taiba", "Pakistan Today News", "Muhammad Ali Khan"]
    worst_evasion = min(float(name_vector(e) @ source) for e in evasions)
    assert worst_evasion > float(name_vector(near_namesake) @ source)
    best_other = max(float(name_vector(o) @ source) for o in others)
    # Across scripts the n-grams only see the consonant skeleton: nearer than unrelated names
    # (the e5 channel carries the rest).
    assert float(name_vector("تحریک طالبان پاکستان") @ source) > best_other


def test_handle_only_profiles_find_their_source() -> None:
    bank = name_vectors(
        [("TTP Media", "ttp_media"), ("Umar Media", "umar_media"), ("Al Naba", "alnaba_news")]
    )
    query = name_vector("", "ttp_rnedia_backup")
    assert int(np.argmax(bank @ query)) == 0


def test_faiss_inner_product_search_equals_brute_force() -> None:
    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    names = [
        (
            " ".join(
                "".join(rng.choice(letters) for _ in range(rng.randint(3, 9)))
                for _ in range(rng.randint(1, 3))
            ),
            "",
        )
        for _ in range(500)
    ]
    bank = name_vectors(names)
    queries = bank[:20] + 0.0
    index = faiss.IndexFlatIP(DIM)
    index.add(bank)
    scores, ids = index.search(queries, 5)
    brute = queries @ bank.T
    expected = np.argsort(-brute, axis=1, kind="stable")[:, :5]
    assert np.allclose(scores, np.take_along_axis(brute, expected, axis=1), atol=1e-5)
    assert (ids[:, 0] == np.arange(20)).all()
