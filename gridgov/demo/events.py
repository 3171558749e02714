"""Demo events: about thirty cases in 鼓楼街道 and 高桥镇, in every state of the loop.

Everything goes through ``gridgov.events.actions`` with the demo users as actors (in 高桥镇,
which has no demo command room, the command steps run as the system), so each case has a
real timeline. Idempotent: each case carries the idempotency key ``demo-event-NN``; a case
already present is left alone. Also links the seeded categories to the demo departments.
"""

import io

import shapely.geometry
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.demo.users import GAOQIAO_GRID
from gridgov.events import actions
from gridgov.events.models import Event

GULOU = "330203005"
GAOQIAO = "330203101"

# key, street, grid index within the street, category, urgency, description, address,
# path (steps after reporting)
CASES = [
    (1, GULOU, 0, "0102", "normal", "中山西路人行道旁有一堆暴露垃圾,已有异味", "中山西路", ()),
    (2, GULOU, 1, "0201", "normal", "公园路电箱上贴满非法小广告", "公园路", ()),
    (3, GAOQIAO, 0, "0506", "normal", "村口公交站非机动车乱停放,挡住候车", "高桥镇村口公交站", ()),
    (4, GULOU, 0, "0504", "normal", "沿街水果店把货架摆到人行道上经营", "鼓楼步行街",
     ("register",)),
    (5, GULOU, 2, "0510", "urgent", "夜宵摊在人行道露天烧烤,油烟很大", "县前街", ("register",)),
    (6, GULOU, 1, "0106", "normal", "小区外绿地内堆有装修垃圾", "孝闻街", ("register",)),
    (7, GULOU, 0, "0103", "normal", "拆迁空地积存渣土约3立方米", "解放北路", ("register", "file")),
    (8, GULOU, 3, "0104", "normal", "路面有大片油污,行人易滑倒", "中山西路", ("register", "file")),
    (9, GULOU, 2, "0501", "normal", "地铁口无照游商聚集", "鼓楼地铁站", ("register", "file")),
    (10, GULOU, 0, "0102", "normal", "垃圾桶满溢,周边散落垃圾", "永寿街", (
        "register", "file", "dispatch")),
    (11, GULOU, 1, "0202", "normal", "店招外新挂违规横幅", "公园路", (
        "register", "file", "dispatch")),
    (12, GULOU, 3, "0511", "normal", "临街护栏上晾晒被褥", "呼童街", (
        "register", "file", "dispatch")),
    (13, GULOU, 0, "0504", "normal", "餐馆门口占道摆桌经营", "鼓楼步行街", (
        "register", "file", "dispatch", "claim")),
    (14, GULOU, 1, "0506", "normal", "共享单车堆满盲道", "中山西路", (
        "register", "file", "dispatch", "claim")),
    (15, GULOU, 2, "0101", "normal", "楼顶违法搭建彩钢棚", "镇明路", (
        "register", "file", "dispatch", "claim", "request_extension")),
    (16, GULOU, 3, "0508", "normal", "商铺高音喇叭招揽顾客,噪声扰民", "孝闻街", (
        "register", "file", "dispatch", "claim", "request_suspension")),
    (17, GULOU, 0, "0201", "normal", "楼道墙面喷涂小广告", "永寿街", (
        "register", "file", "dispatch", "claim", "complete")),
    (18, GULOU, 1, "0102", "normal", "菜场后门暴露垃圾", "公园路菜场", (
        "register", "file", "dispatch", "claim", "complete")),
    (19, GULOU, 2, "0503", "normal", "人行道上废品收购点堆放杂物", "县前街", (
        "register", "file", "dispatch", "claim", "complete")),
    (20, GULOU, 0, "0102", "normal", "路口垃圾清运不及时", "中山西路", (
        "register", "file", "dispatch", "claim", "complete", "verify", "evaluate")),
    (21, GULOU, 1, "0504", "normal", "超市门口堆放货物", "公园路", (
        "register", "file", "dispatch", "claim", "complete", "verify", "evaluate")),
    (22, GULOU, 2, "0201", "normal", "公交站台小广告", "鼓楼公交站", (
        "register", "file", "dispatch", "claim", "complete", "verify")),
    (23, GULOU, 0, "0507", "normal", "人行道上堆放建材", "永寿街", ("resolve_on_spot", "verify")),
    (24, GULOU, 3, "0108", "normal", "楼下丢弃旧沙发", "呼童街", (
        "register", "file", "dispatch", "claim", "complete", "verify_fail")),
    (25, GULOU, 1, "0101", "normal", "院内违章搭建棚屋,涉及产权争议", "孝闻街", (
        "register", "file", "dispatch", "claim", "request_suspension",
        "decide_suspension")),
    (26, GULOU, 2, "0199", "normal", "反映内容重复且已处理", "县前街", ("register", "not_file")),
    (27, GULOU, 0, "0199", "normal", "测试上报,请忽略", "中山西路", ("void",)),
    (28, GULOU, 0, "0102", "normal", "中山西路人行道旁垃圾堆(重复反映)", "中山西路", ("merge:1",)),
    (29, GAOQIAO, 0, "0507", "normal", "村道边堆放秸秆", "高桥镇村道", (
        "register", "file", "dispatch_grid", "claim")),
    (30, GAOQIAO, 0, "0102", "normal", "村文化礼堂旁垃圾点满溢", "高桥镇文化礼堂", (
        "resolve_on_spot", "verify")),
    (31, GULOU, 1, "0102", "urgent", "学校门口垃圾堆积,领导要求督办", "公园路小学", (
        "register", "file", "dispatch", "supervise")),
]


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _grids(street_code):
    if street_code == GAOQIAO:
        # gw_gaoqiao's village grid (the demo's rural grid worker).
        return list(Area.objects.filter(code=GAOQIAO_GRID))
    return list(Area.objects.filter(level="grid", code__startswith=street_code)
                .order_by("code")[:4])


def _point(area):
    p = shapely.geometry.shape(area.geometry).representative_point()
    return p.x, p.y


def _site_photo(name):
    """A small generated site photo: completion and verification need one under the
    default evidence rules (``gridgov.events.evidence``), as on a real install."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (196, 208, 214))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 170, 320, 240), fill=(120, 124, 120))  # the pavement
    draw.rectangle((40, 60, 140, 170), fill=(170, 150, 120))  # a wall, cleaned
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return [SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")]


def _run(event, step, users, street, primary_events):
    gulou = street == GULOU
    clerk = users["clerk_gulou"] if gulou else None
    shift = users["shift_gulou"] if gulou else None
    dispatcher = users["dispatch_gulou"] if gulou else None
    handler = users["handler_zhifa"]
    worker = users["gw_gulou"] if gulou else users["gw_gaoqiao"]
    if event.grid.code != "330203005001001" and gulou:
        worker = users["gc_gulou"] if event.area_code.startswith("330203005001") else None
    if step == "register":
        return actions.register_event(event, actor=clerk, remark="信息完整,予以受理")
    if step == "file":
        return actions.file_event(event, actor=shift, remark="符合立案条件")
    if step == "not_file":
        return actions.not_file_event(event, reason="重复反映,已在前案中处理", actor=shift)
    if step == "void":
        return actions.void_event(event, reason="测试数据", actor=shift)
    if step == "dispatch":
        return actions.dispatch_event(event, actor=dispatcher, remark="请按时限处置")
    if step == "dispatch_grid":
        return actions.dispatch_event(event, grid=True, actor=dispatcher,
                                      remark="属地处置,请网格员落实")
    if step == "claim":
        return actions.claim_event(event, actor=handler if event.department_id else worker)
    if step == "request_extension":
        return actions.request_extension(event, days=5, reason="需先行取证并下达限期拆除通知",
                                         actor=handler)
    if step == "request_suspension":
        return actions.request_suspension(event, reason="当事人长期不在,需待其返回后处理",
                                          actor=handler)
    if step == "decide_suspension":
        return actions.decide_suspension(event, approve=True, actor=shift, remark="同意挂账")
    if step == "complete":
        return actions.complete_event(event, remark="已处置完毕,现场已清理", actor=handler,
                                      attachments=_site_photo("处置后.jpg"))
    if step == "verify":
        return actions.verify_event(event, passed=True, actor=worker, remark="现场核查已整改",
                                    attachments=_site_photo("核查.jpg"))
    if step == "verify_fail":
        return actions.verify_event(event, passed=False, actor=worker,
                                    attachments=_site_photo("核查.jpg"),
                                    remark="现场仍有遗留,请返工")
    if step == "resolve_on_spot":
        return actions.resolve_on_spot(event, remark="现场劝导当事人自行清理", actor=worker,
                                       attachments=_site_photo("现场.jpg"))
    if step == "evaluate":
        return actions.evaluate_event(event, score=5, comment="处理及时", actor=clerk)
    if step == "supervise":
        return actions.supervise_event(event, remark="请加快处置,明早前反馈",
                                       actor=users["leader_gulou"])
    if step.startswith("merge:"):
        primary = primary_events[int(step.split(":")[1])]
        actions.merge_events(primary, [event], actor=clerk, remark="同一地点重复反映")
        return Event.objects.get(pk=event.pk)
    raise ValueError(step)


def load(*, stdout=None) -> dict:
    """Create the demo events that are missing; idempotent. Returns counts."""
    linked = actions.link_default_departments(actor=None)
    users = {u.username: u for u in User.objects.filter(username__in=[
        "clerk_gulou", "shift_gulou", "dispatch_gulou", "handler_zhifa", "gw_gulou",
        "gw_gaoqiao", "gc_gulou", "leader_gulou"])}
    grids = {GULOU: _grids(GULOU), GAOQIAO: _grids(GAOQIAO)}
    # The first grid of 鼓楼 must be gw_gulou's (the demo user's grid).
    created = 0
    by_key = {}
    existing = {e.idempotency_key: e for e in Event.objects.filter(
        idempotency_key__startswith="demo-event-")}
    for key, street, grid_index, category, urgency, text, address, steps in CASES:
        ikey = f"demo-event-{key:02d}"
        if ikey in existing:
            by_key[key] = existing[ikey]
            continue
        grid = grids[street][grid_index]
        lng, lat = _point(grid)
        reporter = users["gw_gulou"] if grid.code == "330203005001001" else (
            users["gw_gaoqiao"] if street == GAOQIAO else None)
        event = actions.report_event(
            source="grid_patrol" if reporter else "hotline_81890", description=text,
            lng=lng, lat=lat, actor=reporter, category=category, urgency=urgency,
            address=f"海曙区{address}", reporter_name="" if reporter else "市民",
            reporter_phone="" if reporter else "13800001234", idempotency_key=ikey)
        for step in steps:
            event = _run(event, step, users, street, by_key)
        by_key[key] = event
        created += 1
    _say(stdout, f"事件 events: {created} created, {linked} categories linked to departments")
    return {"events_created": created, "categories_linked": linked}
