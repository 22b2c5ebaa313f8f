"""The 47 prefectures in JIS X 0401 order (code 1 = 北海道 … 47 = 沖縄県)."""

PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県",
    "茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県",
    "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県",
    "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県",
    "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県",
    "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県",
    "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip

PREFECTURE_CHOICES = [(name, name) for name in PREFECTURES]


def association_name(prefecture: str) -> str:
    """東京都 -> 東京都医師会 (each prefecture has one 都道府県医師会)."""
    return f"{prefecture}医師会"


PREFECTURE_WARNINGS = {
    "import": "所在地が{prefecture}です（{association}の会員として取り込みます）。",
    "member": "所在地が{prefecture}です（{association}の会員として登録されています）。",
    "clinic": (
        "貴院は{association}の会員として登録されています（所在地は{prefecture}になっています）。"
        "所属する医師会が違う場合は、{association}にご連絡ください。"
    ),
}


def prefecture_warning(*, prefecture: str, association, wording: str) -> str:
    """The warning for a clinic whose prefecture (所在地の都道府県) is not its association's, or ""
    when it is (or is blank). Such a clinic is saved all the same: it is a warning, not a refusal.
    ``wording`` is where it is read: "import" (the import preview), "member" (staff pages) or
    "clinic" (the clinic's own profile)."""
    if not prefecture or prefecture == association.prefecture:
        return ""
    return PREFECTURE_WARNINGS[wording].format(prefecture=prefecture, association=association.name)
