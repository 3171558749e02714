"""``gridgov areas check`` and ``gridgov areas lookup``: area hierarchy tools for operators.

- ``gridgov areas check [--code CODE]`` walks the hierarchy from CODE (every district when not
  given) and reports, for each area with children, the gaps its children leave and any pair
  of children that overlap. Exits with status 1 when an overlap is found (gaps are reported
  but tolerated: a street may still be being divided).
- ``gridgov areas lookup LNG LAT [--crs gcj02]`` prints the grid containing a point, or says
  it is outside the jurisdiction (status 1).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridgov.areas.datum import CRS_CHOICES
from gridgov.areas.geometry import child_overlaps, coverage_gaps
from gridgov.areas.index import OutsideJurisdiction, lookup_point
from gridgov.areas.models import Area


class Command(BaseCommand):
    help = "区域工具:check 检查下级区域的缺口与重叠;lookup 按坐标查询所在网格。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("check", help="检查各区域的下级区域是否留有缺口或相互重叠")
        check.add_argument("--code", default="", help="从该区域编码开始(默认:全部区县)")
        check.add_argument("--details", action="store_true",
                           help="列出每处缺口的位置(代表点坐标)")
        lookup = sub.add_parser("lookup", help="按经纬度查询所在网格")
        lookup.add_argument("lng", type=float, help="经度")
        lookup.add_argument("lat", type=float, help="纬度")
        lookup.add_argument("--crs", default="wgs84", choices=CRS_CHOICES,
                            help="坐标系:wgs84(默认)、gcj02 或 cgcs2000")

    def handle(self, *args, **options):
        if options["subcommand"] == "check":
            return self.check_hierarchy(options["code"], options["details"])
        return self.lookup(options["lng"], options["lat"], options["crs"])

    # -- check ---------------------------------------------------------------------------

    def check_hierarchy(self, code: str, details: bool):
        if code:
            root = Area.objects.current().filter(code=code).first()
            if root is None:
                raise CommandError(_("找不到有效的区域 %(code)s。") % {"code": code})
            roots = [root]
        else:
            roots = list(Area.objects.current().filter(parent__isnull=True).order_by("code"))
            if not roots:
                raise CommandError(_("还没有任何区域。"))
        checked = gap_count = overlap_count = 0
        stack = list(reversed(roots))
        while stack:
            area = stack.pop()
            children = list(area.children.current().order_by("code"))
            if not children:
                continue
            checked += 1
            gaps = coverage_gaps(area)
            overlaps = child_overlaps(area)
            gap_count += len(gaps)
            overlap_count += len(overlaps)
            gap_m2 = sum(g["area_m2"] for g in gaps)
            line = _("%(code)s %(name)s:下级 %(n)d 个,缺口 %(gaps)d 处共 %(gap_m2).1f 平方米,"
                     "重叠 %(overlaps)d 处") % {
                "code": area.code, "name": area.name, "n": len(children), "gaps": len(gaps),
                "gap_m2": gap_m2, "overlaps": len(overlaps),
            }
            style = self.style.ERROR if overlaps else (
                self.style.WARNING if gaps else self.style.SUCCESS)
            self.stdout.write(style(line))
            if details:
                from shapely.geometry import shape

                for gap in gaps:
                    p = shape(gap).representative_point()
                    self.stdout.write(_("    缺口 %(m2).1f 平方米,位于 %(lng).6f, %(lat).6f")
                                      % {"m2": gap["area_m2"], "lng": p.x, "lat": p.y})
            for item in overlaps:
                a, b = item["codes"]
                self.stdout.write(self.style.ERROR(
                    _("    %(a)s 与 %(b)s 重叠 %(m2).1f 平方米")
                    % {"a": a, "b": b, "m2": item["area_m2"]}
                ))
            stack.extend(reversed(children))
        summary = _("共检查 %(n)d 个区域:缺口 %(gaps)d 处,重叠 %(overlaps)d 处。") % {
            "n": checked, "gaps": gap_count, "overlaps": overlap_count,
        }
        if overlap_count:
            raise CommandError(summary, returncode=1)
        self.stdout.write(summary)

    # -- lookup --------------------------------------------------------------------------

    def lookup(self, lng: float, lat: float, crs: str):
        try:
            grid = lookup_point(lng, lat, crs=crs)
        except OutsideJurisdiction as exc:
            raise CommandError(str(exc.message_text), returncode=1)
        chain = []
        node = grid
        while node is not None:
            chain.append(f"{node.name}({node.code})")
            node = node.parent
        self.stdout.write(f"{grid.code} {grid.name}")
        self.stdout.write(" / ".join(reversed(chain)))
        self.stdout.write(_("类型:%(kind)s 面积:%(m2).0f 平方米") % {
            "kind": grid.get_kind_display(), "m2": grid.area_m2,
        })
