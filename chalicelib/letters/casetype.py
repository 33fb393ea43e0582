"""村民信箱 as a case type: a letter to the village leaders (or to the township), optionally anonymous to staff,
answered in a thread (staff notes and the filer's replies), rated by the filer. Unanswered after 3 working days
(the county's working-day calendar: public holidays and 调休 working weekends) it goes up to the township, then the
county. Letters are private: only the filer and the offices in scope see them; they are never published."""

from ..cases.types import DEFAULT_ACTIONS, REPLY, CaseType, Category

CATEGORIES = (
    Category("suggestion", "意见建议", "Suggestion", sla_hours=72),
    Category("help", "咨询求助", "Question or request for help", sla_hours=72),
    Category("complaint", "投诉", "Complaint", sla_hours=72),
    Category("other", "其他", "Other", sla_hours=72),
)

LETTER = CaseType(
    id="letter", module="mailbox", prefix="XX", name="村民信箱", name_en="Villagers' mailbox",
    read_permission="letters.read", handle_permission="letters.handle", categories=CATEGORIES,
    status_names={"filed": "待答复", "assigned": "待答复", "accepted": "办理中", "resolved": "已答复",
                  "closed": "已办结"},
    outcomes={"answered": "已答复", "handled": "已办理", "referred": "已转交有关部门"},
    actions={**DEFAULT_ACTIONS, **REPLY},
    place_level="township", escalation=("village", "township", "county"), anonymous=True, max_photos=3,
    rating=True, reopen_days=7, private=True, per_day=10, working_day_sla=True, noun="来信")
# The 3 working days run until the letter is answered for good (resolved with an answer): a note in the thread
# ("收到，下周商议") does not stop them, so an acknowledgement cannot keep a letter from going up a level.
