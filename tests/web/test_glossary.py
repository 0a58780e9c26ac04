"""One vocabulary (docs/glossary.md): the Japanese messages and the catalogue use its terms.

These scans keep the variants the glossary replaced from coming back through a new message or a
catalogue edit.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from article8.controls.catalogue.files import SHIPPED_DIR
from article8.core import vocabulary

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "article8" / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
GLOSSARY = ROOT / "docs" / "glossary.md"

# Variant -> the glossary's term (for the failure message).
FORBIDDEN_IN_MESSAGES = {
    "合格": "適合 / 不適合",
    "エビデンス": "証跡",
    "監査証跡": "監査ログ",
    "認知日時": "事態を知った日時",
    "把握日時": "事態を知った日時",
    "第8条第2項": "第8条第2号",
    "個情委": "個人情報保護委員会 / ガイドライン（通則編）の項目",
    "大量エクスポート": "大量出力",
    "年次": "毎年",
    "月次": "毎月",
    "遅延": "期限超過後に提出",
    "誤検知": "問題なし",
    "又は": "または",
    "及び": "および",
    "インポート": "取込",
    "エクスポート": "出力",
    "サインイン": "ログイン",
    "PPCガイドライン": "ガイドライン（通則編）",
}
FORBIDDEN_IN_CATALOGUE = {
    "合格": "適合 / 不適合",
    "エビデンス": "証跡",
    "各エントリ": "台帳の各記載",
    "日付入り画面記録": "画面キャプチャ（取得日付入り）",
    "ウォークスルー": "実際の運用を確認した結果",
    "攻撃対象領域": "外部公開資産の診断（外部スキャン）",
    "ホスティングリージョン": "データの保存先（国・リージョン）",
    "最新化": "最新状態の維持",
    "疎通確認": "報告窓口が機能することの確認（テスト通報等）",
}
# A Japanese era year stands in brackets after the Western year: 2024年（令和6年）.
BARE_ERA_YEAR = re.compile(r"(?<!\d年（)(令和|平成)\d+年")


def _messages() -> list[tuple[str, str]]:
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    return [
        (str(m.id), m.string if isinstance(m.string, str) else " ".join(m.string))
        for m in catalogue
        if m.id
    ]


def _catalogue_texts() -> list[tuple[str, str]]:
    """Every Japanese text of the shipped control catalogue, with where it is."""
    texts = []

    def walk(value: object, where: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "ja" and isinstance(inner, str):
                    texts.append((where, inner))
                else:
                    walk(inner, f"{where}.{key}")
        elif isinstance(value, list):
            for n, inner in enumerate(value):
                walk(inner, f"{where}[{n}]")

    for path in sorted(SHIPPED_DIR.glob("*.yaml")):
        for control in yaml.safe_load(path.read_text(encoding="utf-8"))["controls"]:
            walk(control, control["code"])
    return texts


@pytest.mark.parametrize("variant", sorted(FORBIDDEN_IN_MESSAGES))
def test_no_japanese_message_uses_a_variant_the_glossary_replaced(variant):
    found = [mid for mid, text in _messages() if variant in text]
    assert not found, f"use {FORBIDDEN_IN_MESSAGES[variant]!r}, not {variant!r}, in: {found}"


@pytest.mark.parametrize("variant", sorted(FORBIDDEN_IN_CATALOGUE))
def test_no_catalogue_text_uses_a_variant_the_glossary_replaced(variant):
    found = [where for where, text in _catalogue_texts() if variant in text]
    assert not found, f"use {FORBIDDEN_IN_CATALOGUE[variant]!r}, not {variant!r}, in: {found}"


def test_catalogue_years_give_the_western_year_with_the_era_in_brackets():
    found = [
        (where, m.group())
        for where, text in _catalogue_texts()
        for m in BARE_ERA_YEAR.finditer(text)
    ]
    assert not found


def test_the_shared_labels_use_the_glossary_terms():
    ja = {mid: text for mid, text in _messages()}

    def label(vocab: vocabulary.Vocabulary, code: str) -> str:
        return ja[vocab.label(code)]

    assert [label(vocabulary.FREQUENCIES, c) for c in vocabulary.FREQUENCIES.codes] == [
        "毎月",
        "四半期ごと",
        "半期ごと",
        "毎年",
    ]
    assert (
        label(vocabulary.ANSWERS, "pass") == label(vocabulary.INSPECTION_RESULTS, "pass") == "適合"
    )
    assert (
        label(vocabulary.ANSWERS, "fail")
        == label(vocabulary.INSPECTION_RESULTS, "fail")
        == "不適合"
    )
    assert label(vocabulary.ROLES, "responsible") == "個人情報保護管理者"
    assert label(vocabulary.RULES, "bulk_export") == "大量出力"
    assert label(vocabulary.ANOMALY_STATES, "dismissed") == "問題なし"
    assert ja["Dismiss"] == "問題なしとして閉じる"
    assert ja["Evidence"] == "証跡" and ja["Audit trail"] == "監査ログ"
    assert ja["Aware"] == ja["Aware since"] == "事態を知った日時"
    assert ja["Validity"] == "有効期限の状態"
    assert ja["Subject"] == "件名"
    assert ja["PPC"] == "ガイドライン（通則編）の項目"
    assert ja["No APPI counterpart control"] == "APPI上の対応管理策なし"


def test_the_glossary_names_every_term_the_scans_ask_for():
    glossary = GLOSSARY.read_text(encoding="utf-8")
    wanted = set(FORBIDDEN_IN_MESSAGES.values()) | set(FORBIDDEN_IN_CATALOGUE.values())
    terms = {part.strip() for term in wanted for part in term.split(" / ")}
    assert not [t for t in sorted(terms) if t not in glossary]
