"""Translation-proof cues and MinHash near-duplicates."""

from __future__ import annotations

import pytest

from birlik.stories.cues import dates, fold_name, latin_words, name_stems, numbers
from birlik.stories.minhash import LshIndex, MinHasher, containment, similarity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 000 адам, 2,5 млрд теңге", {"1000", "2.5"}),
        ("more than 1,000 events on 02 days", {"1000", "2"}),
        ("No figures here", set()),
    ],
)
def test_numbers_are_normalised(text: str, expected: set[str]) -> None:
    assert numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026 жылғы 14 тамызда", {"08-14"}),
        ("14 августа 2026 года", {"08-14"}),
        ("on August 14, 2026", {"08-14"}),
        ("11.12.2014 Бүгін", {"12-11"}),
        ("5 машин и 3 мая", {"05-03"}),
    ],
)
def test_day_month_dates_in_three_languages(text: str, expected: set[str]) -> None:
    assert dates(text) == expected


def test_names_fold_to_one_skeleton_across_kk_and_ru() -> None:
    assert fold_name("Қозыкөрпеш")[:4] == fold_name("Козы-Корпеш")[:4]
    kk = "Есеп комитетінің Төрағасы Қозыкөрпеш Жаңбыршин ұжымды құттықтады"
    ru = "Председатель Счетного комитета Козы-Корпеш Джанбурчин поздравил коллектив"
    assert fold_name("Козы") in name_stems(kk) & name_stems(ru)
    assert latin_words("ТОО «R.W.S. BINDING» and www.site.kz") >= {"binding", "www", "site"}


RELEASE = (
    "Министерство культуры и информации подвело итоги летнего периода в сфере межэтнических отношений. "
    "С июня по август в регионах страны проведено более 1000 мероприятий, в которых приняли участие "
    "свыше 250 тысяч человек. Во всех 20 регионах прошли этнокультурные фестивали и дни культуры этносов."
)
REPRINT = RELEASE.replace("подвело итоги летнего периода", "подвело итоги лета") + " В Павлодаре тоже."
OTHER = (
    "В Таразе прошёл фестиваль национальной кухни, повара из восьми этнокультурных центров угощали гостей."
)


def test_minhash_estimates_containment_of_a_reprint() -> None:
    hasher = MinHasher()
    (release, size_a), (reprint, size_b), (other, size_c) = hasher.signatures([RELEASE, REPRINT, OTHER])
    assert containment(similarity(release, reprint), size_a, size_b) > 0.7
    assert containment(similarity(release, other), size_a, size_c) < 0.1


def test_lsh_finds_reprints_and_forgets_removed_documents() -> None:
    hasher = MinHasher()
    index = LshIndex(hasher.settings)
    (release, size_a), (reprint, size_b), (other, size_c) = hasher.signatures(
        [RELEASE * 2, REPRINT * 2, OTHER]
    )
    index.add("release", release, size_a)
    index.add("other", other, size_c)
    assert [key for key, _ in index.query(reprint, size_b)] == ["release"]
    index.remove("release")
    assert index.query(reprint, size_b) == []
    assert len(index) == 1
