"""A small association whose funnel is easy to count by hand (tests of the funnel and of the
national view)."""

from announcements.models import ReadReceipt
from eligibility.models import ApplicationRecord
from tests import factories
from tests.announcements import notice_factories as nf

QUALIFY = factories.NORMAL_AND_SECURITY
TOO_LARGE = QUALIFY | {"employees": 400}
PROGRAMME = "デジタル化・AI導入補助金2026"


def record(user, frame, stage, *, applied=False, adopted=False, granted=False):
    ApplicationRecord.objects.create(
        clinic=user.clinic,
        programme=PROGRAMME,
        frame_code=frame,
        stage=stage,
        stage_name=stage,
        applied=applied,
        adopted=adopted,
        granted=granted,
    )


def build_world():
    """東京都: 8 members. Their story, written so each count is easy to check by hand:
    m1 read, qualifies, applied 通常枠, adopted, granted
    m2 read, qualifies, applied then corrected to 検討中 (not applied)
    m3 read, qualifies, applied セキュリティ and was not adopted
    m4 qualifies, applied 通常枠 and セキュリティ, adopted for one
    m5 screened, too large (qualifies for nothing)
    m6 screened twice: first qualified, latest too large
    m7, m8 nothing yet.  And one 大阪府 member that qualifies and applied (not ours)."""
    notice = nf.publication("東京都", state="live")
    users = [factories.clinic_user(factories.clinic(employees=40)) for _ in range(8)]
    m1, m2, m3, m4, m5, m6, _m7, _m8 = users
    for user in (m1, m2, m3):
        ReadReceipt.objects.create(publication=notice, user=user)
    for user in (m1, m2, m3, m4):
        factories.completed_screening(user, QUALIFY)
    factories.completed_screening(m5, TOO_LARGE)
    factories.completed_screening(m6, QUALIFY)
    factories.completed_screening(m6, TOO_LARGE)
    record(m1, "normal", "applied", applied=True)
    record(m1, "normal", "received", applied=True, adopted=True, granted=True)
    record(m2, "normal", "applied", applied=True)
    record(m2, "normal", "considering")
    record(m3, "security", "rejected", applied=True)
    record(m4, "normal", "adopted", applied=True, adopted=True)
    record(m4, "security", "applied", applied=True)
    osaka = factories.clinic_user(factories.clinic(prefecture="大阪府", employees=40))
    factories.completed_screening(osaka, QUALIFY)
    record(osaka, "normal", "applied", applied=True)
    return users


BY_HAND = {
    "members": 8,
    "read": 3,  # m1 m2 m3
    "screened": 6,  # m1–m6
    "qualify": 4,  # m1–m4 (m6's latest does not)
    "applied": 3,  # m1 m3 m4 (m2 corrected)
    "adopted": 2,  # m1 m4
    "granted": 1,  # m1
}
