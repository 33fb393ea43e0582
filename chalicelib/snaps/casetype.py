"""随手拍 as a case type: a villager photographs a problem in their grid (litter, a broken road, a hazard, a
dispute); it goes straight to the grid worker of that grid, who accepts and resolves it with an "after" photo; the
filer rates the result or reopens it within 7 days; unanswered past the category's SLA it moves up to the village
(村情通管理员), then the township, then the county. Resolved cases appear on the village board."""

from ..cases.types import CaseType, Category, Field

CATEGORIES = (
    Category("sanitation", "环境卫生", "Sanitation", sla_hours=72, description="垃圾堆放、污水、乱堆乱放"),
    Category("road", "道路设施", "Roads and facilities", sla_hours=120,
             description="道路破损、路灯不亮、护栏损坏",
             fields=(Field("facility", "设施类型", "singlevaluelist", required=True,
                           values=(("road", "道路"), ("streetlight", "路灯"), ("bridge", "桥梁护栏"),
                                   ("water", "供水管道"), ("other", "其他"))),)),
    Category("safety", "安全隐患", "Safety hazard", sla_hours=24, description="危房、电线裸露、水塘无护栏",
             fields=(Field("urgent", "是否紧急", "singlevaluelist", values=(("yes", "紧急"), ("no", "不紧急"))),)),
    Category("dispute", "邻里纠纷", "Neighbour dispute", sla_hours=72, description="宅基地、用水、噪音等纠纷"),
    Category("other", "其他", "Other", sla_hours=120),
)

SNAP = CaseType(
    id="snap", module="snaps", prefix="SP", name="随手拍", name_en="Snap-and-report",
    read_permission="snaps.read", handle_permission="snaps.handle", categories=CATEGORIES,
    outcomes={"fixed": "已整改", "referred": "已转交相关部门", "explained": "已解释说明",
              "not_found": "现场未发现问题"},
    place_level="grid", escalation=("grid", "village", "township", "county"), max_photos=6, rating=True,
    reopen_days=7, noun="随手拍", route_to=("grid_worker", "grid_leader", "grid_worker_part"), public_board=True)
