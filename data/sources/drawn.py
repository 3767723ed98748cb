"""Hand-drawn inputs for the 金坛路居民区 demo dataset (documented inputs).

Everything here is drawn by hand and approximate; only the street centrelines
(osm_streets_wgs84.geojson, © OpenStreetMap contributors, ODbL) are measured.
None of the compounds, buildings, lanes, lamps or facilities below comes from
a survey: they are a plausible reconstruction for demonstration.

COORDINATES
    All coordinates are LOCAL METRES in the EPSG:4549 grid (CGCS2000 / 3-degree
    Gauss-Kruger CM 120E), shifted so that ORIGIN_WGS84 (the OSM vertex where
    巡道街 meets 乔家路) is (0, 0): x grows east, y grows north.  To convert a
    point: E = origin_E + x, N = origin_N + y (build_dataset.py does it).
    Handy landmarks in this frame (from the OSM centrelines):
        巡道街 runs north from (0, 0) to 复兴东路 at (19, 482), x ≈ 0..10;
        中华路 (east arc) is at x ≈ 116 for y 0..125, x ≈ 112 at y 222,
            x ≈ 147 at y 386, and crosses 复兴东路 (south carriageway) near
            (160, 445); it meets 乔家路 at (106, -12) and 黄家路 at (63, -167);
        乔家路 runs from (106, -12) west through (13, -34), (0, 0), (-63, 36),
            (-96, 68), (-136, 69), (-199, 101), (-228, 98);
        黄家路 runs from (63, -167) west through (3, -144), (-50, -126),
            (-139, -99), (-238, -97);
        永泰街 runs from 乔家路 near (22, -32) south to 黄家路 near (3, -144).

HOW TO ADJUST
    Edit a number here and rerun `.venv/bin/python data/build_dataset.py`.
    The build checks every invariant (compounds inside the boundary and not
    overlapping, buildings inside their compound and not overlapping, lanes
    connected, ...) and stops with a message if an edit breaks one.
"""
from __future__ import annotations

# --------------------------------------------------------------------------
# Frame and streets
# --------------------------------------------------------------------------

# OSM vertex shared by 巡道街 (its south end) and 乔家路: local (0, 0).
ORIGIN_WGS84 = (121.4928836, 31.2188619)

# Road widths in metres (kerb to kerb incl. pavements, plausible values; the
# real widths were not surveyed).  Keys are the OSM feature names.
ROAD_WIDTHS = {
    "中华路": 24.0,
    "复兴东路(南侧车道)": 14.0,
    "复兴东路(北侧车道)": 14.0,
    "巡道街": 9.0,
    "乔家路": 10.0,
    "黄家路": 8.0,
    "永泰街": 6.0,
    "金坛路": 7.0,
}

# Compounds keep this much extra distance beyond half the road width.
ROAD_MARGIN = 0.5

# 金坛路 is not in any public data.  Drawn as a short street crossing the long
# stroke of the J west-east around its middle, from 巡道街 to 中华路.  The
# line is drawn a little past both streets; the build cuts it at them.
JINTAN_ROAD = [(-8.0, 226.0), (52.0, 228.0), (125.0, 234.0)]

# 永泰街 in OSM stops about 12 m short of 乔家路; the build extends its north
# end along its own direction until it meets the 乔家路 centreline (the
# geojson note says it links 乔家路 and 黄家路).
EXTEND_YONGTAI_TO_QIAOJIA = True

# The hook's west edge (where the neighbourhood stops west of 黄家路/乔家路):
# no street there, so drawn by hand along a plausible rear property line,
# about lon 121.4903.  Drawn past both streets; tuned so the J is 0.111 km².
HOOK_WEST_EDGE = [(-238.0, 130.0), (-242.5, -130.0)]

# Streets whose centrelines bound the J (the boundary follows centrelines,
# as Shanghai subdistrict boundaries usually do).
BOUNDARY_STREETS = ("中华路", "复兴东路(南侧车道)", "巡道街", "乔家路", "黄家路")

# --------------------------------------------------------------------------
# Compounds (小区) and how buildings and lanes are laid out in them
# --------------------------------------------------------------------------
# Each compound:
#   id, name, name_en, kind  -- the attributes written to compounds.shp
#   outline   rough polygon (local metres).  The build clips it to the
#             boundary minus the road reserves (half width + ROAD_MARGIN) and
#             minus compounds listed earlier, so outlines may overlap streets
#             and earlier compounds freely.
#   layout    how buildings and lanes are generated (see below).
#
# "rows" layout (terraced lane housing and slab blocks alike):
#   anchor    (x, y) where the row pattern starts (v = 0, u = 0)
#   angle     direction of the rows in degrees, counter-clockwise from east
#   pattern   bands across the rows (v direction), repeated from the anchor:
#             ("lane", w) a branch lane of width w along the rows,
#             ("clear", c) clearance between lane edge and building,
#             ("row", d) a row of buildings d metres deep,
#             ("gap", g) back gap between rows (no lane).
#   bldg_len  target length of one building along the row (a terrace of
#             several house units); bldg_gap the gap between neighbouring
#             buildings in a row.  Each free stretch of a row (inside the
#             compound, clear of main lanes and keep-out areas) is filled
#             with as many buildings as fit, stretched up to 1.3 x bldg_len;
#             stretches shorter than min_len (default 0.6 x bldg_len) stay
#             empty
#   u_range   optional (umin, umax) limit for buildings along the rows
#   main_lanes  总弄: polylines (name, name_en, width, points) from the named
#             road into the compound; the first segment is extended or cut so
#             the lane starts exactly on the road's centreline.  Branch lanes
#             (支弄) run along the rows from a main lane or from a street in
#             connect_roads (whichever is nearer) to the farthest building
#             they serve.  Buildings closer than 0.75 m to a lane edge are not
#             built; buildings no lane reaches are dropped; main lanes are cut
#             back to their last junction.
#   connect_roads  streets branch lanes may join directly
#   lane_names  names for branch lanes joining a street directly, indexed by
#             lane band (0 = the first "lane" band from the anchor; None
#             where that band's lane joins a main lane, whose name it takes);
#             name_en optionally maps a lane name to its English name
#             (default: "Lane 262, Xundao Street" for 巡道街262弄)
#   frontage  a street: in rows of two or more buildings, the building at
#             the street end (within 14 m of its centreline) gets a street
#             address (e.g. 巡道街102号) instead of a lane address; street
#             numbers are even, run along the street from FRONTAGE_START and
#             skip the numbers of the lanes (弄) opening between them
#   keep_out  polygons where no building is placed (e.g. the pocket park)
#   extra_buildings  hand-placed buildings (centre, size along/across the
#             rows, name, type, floors, households, year_built); rows are
#             packed around them; each must stand by a lane
#   floors    (choices, weights); year (first, last); m2_per_household gross
#             floor area per household (households = floors * footprint /
#             m2_per_household, +-15 % deterministic jitter)
#   protected 1 for historic protected buildings
#   households  optional list: households per building in address order
#             (overrides m2_per_household); expect_buildings: the build stops
#             unless exactly this many buildings result
# "explicit" layout: buildings and lanes listed one by one.

# 支弄 2.5 m wide, then two back-to-back terraces 9.5 m deep with a 1.5 m
# back gap between them (one terrace faces each lane): 24.5 m per lane.
OLD_LANE_PATTERN = [("lane", 2.5), ("clear", 0.75), ("row", 9.5),
                    ("gap", 1.5), ("row", 9.5), ("clear", 0.75)]

# The 面筋弄 pocket park (口袋公园, on land freed by demolishing illegal
# structures): kept free of buildings; the park and its 党群服务站 are
# facilities inside it.
POCKET_PARK = [(50, 382), (80, 382), (80, 405), (50, 405)]

COMPOUNDS = [
    # ---------------- long stroke, north half (复兴东路 .. 金坛路) ----------
    dict(
        id="tongda", name="通达大厦", name_en="Tongda Mansion", kind="商住楼",
        # tower plot at the 复兴东路 / 中华路 corner
        outline=[(96, 388), (175, 388), (175, 470), (96, 470)],
        layout=dict(
            type="explicit",
            buildings=[dict(
                centre=(123.0, 414.0), size=(32.0, 20.0), angle=-14.0,
                name="通达大厦", address="中华路609号", floors=24,
                households=150, year_built=1997, type="商住楼")],
            lanes=[dict(  # driveway from 中华路 to the tower's entrance
                name="通达大厦通道", name_en="Tongda Mansion driveway",
                # parallel to the tower's south face, 3.5 m off it
                road="中华路", points=[(149.8, 393.4), (119.73, 400.9)],
                width=5.0)],
        ),
    ),
    dict(
        id="mianjin", name="面筋弄", name_en="Mianjin Lane", kind="旧里",
        # the block north of 南花苑 between 巡道街 and 通达大厦
        outline=[(-10, 330), (55, 330), (55, 388), (96, 388), (96, 480),
                 (-10, 480)],
        layout=dict(
            type="rows", anchor=(5.0, 333.0), angle=0.0,
            pattern=OLD_LANE_PATTERN, bldg_len=28.0, bldg_gap=1.0,
            main_lanes=[],
            connect_roads=["巡道街"],
            lane_names=["巡道街262弄", "巡道街290弄", "巡道街318弄", "面筋弄",
                        "巡道街350弄", "巡道街366弄"],
            name_en={"面筋弄": "Mianjin Lane"},
            frontage="巡道街",
            keep_out=[POCKET_PARK],
            floors=((2, 3), (0.7, 0.3)), year=(1912, 1936),
            m2_per_household=38.0, protected=0,
        ),
    ),
    dict(
        id="xundao_n", name="巡道街旧里(北)",
        name_en="Xundao Street old lanes (north)", kind="旧里",
        outline=[(-10, 236), (55, 236), (55, 330), (-10, 330)],
        layout=dict(
            type="rows", anchor=(5.0, 238.0), angle=0.0,
            pattern=OLD_LANE_PATTERN, bldg_len=28.0, bldg_gap=1.0,
            main_lanes=[], connect_roads=["巡道街"],
            lane_names=["巡道街186弄", "巡道街212弄", "巡道街234弄",
                        "巡道街250弄"],
            frontage="巡道街",
            floors=((2, 3), (0.7, 0.3)), year=(1910, 1934),
            m2_per_household=38.0, protected=0,
        ),
    ),
    dict(
        id="nanhuayuan", name="南花苑", name_en="Nanhuayuan Garden",
        kind="商品房",
        # gated estate between 金坛路 and 通达大厦, entrance on 金坛路
        outline=[(55, 236), (175, 236), (175, 388), (55, 388)],
        layout=dict(
            type="rows", anchor=(58.0, 240.0), angle=0.0,
            pattern=[("lane", 4.0), ("clear", 1.5), ("row", 13.0),
                     ("gap", 15.0)],
            bldg_len=18.0, bldg_gap=8.5,
            main_lanes=[dict(name="金坛路20弄",
                             name_en="Lane 20, Jintan Road (Nanhuayuan estate road)",
                             road="金坛路", points=[(80.0, 228.0), (80.0, 372.0)],
                             width=5.0)],
            connect_roads=[],
            floors=((6, 7), (0.5, 0.5)), year=(1999, 2002),
            m2_per_household=80.0, protected=0,
        ),
    ),
    # ---------------- long stroke, south half (金坛路 .. 乔家路) -------------
    dict(
        id="xundao_s", name="巡道街旧里(南)",
        name_en="Xundao Street old lanes (south)", kind="旧里",
        outline=[(-10, -10), (36, -10), (36, 222), (-10, 222)],
        layout=dict(
            type="rows", anchor=(5.0, 8.0), angle=0.0,
            pattern=OLD_LANE_PATTERN, bldg_len=28.0, bldg_gap=1.0,
            main_lanes=[], connect_roads=["巡道街"],
            lane_names=["巡道街12弄", "巡道街36弄", "巡道街60弄", "巡道街84弄",
                        "巡道街108弄", "巡道街130弄", "巡道街152弄",
                        "巡道街170弄", "巡道街178弄"],
            frontage="巡道街",
            floors=((2, 3), (0.7, 0.3)), year=(1908, 1935),
            m2_per_household=38.0, protected=0,
        ),
    ),
    dict(
        id="jixian", name="集贤村", name_en="Jixian Village", kind="历史保护",
        # historic protected lane compound at 金坛路35弄
        outline=[(36, 118), (72, 118), (72, 222), (36, 222)],
        layout=dict(
            type="rows", anchor=(38.0, 121.0), angle=0.0,
            pattern=OLD_LANE_PATTERN, bldg_len=13.0, bldg_gap=6.0,
            main_lanes=[dict(name="金坛路35弄", name_en="Lane 35, Jintan Road",
                             road="金坛路", points=[(54.0, 228.0), (54.0, 125.0)],
                             width=3.5)],
            connect_roads=[],
            floors=((2, 3), (0.3, 0.7)), year=(1924, 1930),
            m2_per_household=40.0, protected=1,
        ),
    ),
    dict(
        id="jintan17", name="金坛路17弄", name_en="Lane 17, Jintan Road",
        kind="旧里",
        outline=[(72, 118), (130, 118), (130, 222), (72, 222)],
        layout=dict(
            # main lane along the west side, one 20 m terrace per row east of it
            type="rows", anchor=(74.0, 121.0), angle=0.0,
            pattern=OLD_LANE_PATTERN, bldg_len=28.0, bldg_gap=1.0,
            main_lanes=[dict(name="金坛路17弄", name_en="Lane 17, Jintan Road",
                             road="金坛路", points=[(74.5, 230.0), (74.5, 125.0)],
                             width=3.0)],
            connect_roads=[],
            floors=((2, 3), (0.7, 0.3)), year=(1915, 1936),
            m2_per_household=38.0, protected=0,
        ),
    ),
    dict(
        id="qiaojia_n", name="乔家路旧里(北)",
        name_en="Qiaojia Road old lanes (north)", kind="旧里",
        outline=[(36, -40), (130, -40), (130, 118), (36, 118)],
        layout=dict(
            type="rows", anchor=(38.0, -14.0), angle=0.0,
            pattern=OLD_LANE_PATTERN, bldg_len=28.0, bldg_gap=1.0,
            main_lanes=[dict(name="乔家路28弄", name_en="Lane 28, Qiaojia Road",
                             road="乔家路", points=[(66.0, -20.0), (66.0, 114.0)],
                             width=3.0)],
            connect_roads=[],
            floors=((2, 3), (0.7, 0.3)), year=(1910, 1936),
            m2_per_household=38.0, protected=0,
        ),
    ),
    # ---------------- the hook (乔家路 .. 黄家路) ------------------------------
    dict(
        id="hjl88", name="黄家路88弄", name_en="Lane 88, Huangjia Road",
        kind="旧里",
        # east of 永泰街, up to 中华路
        outline=[(8, -40), (120, -40), (120, -175), (8, -175)],
        layout=dict(
            type="rows", anchor=(10.0, -150.0), angle=0.0,
            pattern=OLD_LANE_PATTERN, bldg_len=28.0, bldg_gap=1.0,
            main_lanes=[dict(name="黄家路88弄", name_en="Lane 88, Huangjia Road",
                             road="黄家路", points=[(40.0, -160.0), (40.0, -36.0)],
                             width=3.0)],
            connect_roads=["永泰街"],
            # the residents' activity room: a small one-storey public
            # building beside the main lane
            extra_buildings=[dict(centre=(47.5, -95.0), size=(10.0, 8.0),
                                  name="黄家路88弄居民活动室", type="公建",
                                  floors=1, households=0, year_built=2016)],
            floors=((2, 3), (0.7, 0.3)), year=(1920, 1938),
            m2_per_household=38.0, protected=0,
        ),
    ),
    dict(
        id="hjl55", name="黄家路55弄", name_en="Lane 55, Huangjia Road",
        kind="售后公房",
        # six public-housing blocks by 黄家路, west of 永泰街
        # rows parallel to 黄家路 (-18.8 degrees), main lane at u = 0
        outline=[(-86, -132), (-55, -37), (25, -66), (25, -165), (-86, -165)],
        layout=dict(
            type="rows", anchor=(-43.96, -122.68), angle=-18.8,
            # (the first gap keeps the lowest branch lane 10 m off 黄家路)
            pattern=[("gap", 3.5), ("lane", 3.0), ("clear", 1.0),
                     ("row", 11.0), ("gap", 8.5)],
            bldg_len=28.0, bldg_gap=6.0, u_range=(-31.0, 31.0),
            main_lanes=[dict(name="黄家路55弄", name_en="Lane 55, Huangjia Road",
                             road="黄家路", points=[(-45.57, -127.41),
                                                   (-22.37, -59.26)],
                             width=4.0)],
            connect_roads=[],
            households=[36, 40, 38, 42, 36, 38],  # blocks 1..6: 230
            floors=((6,), (1.0,)), year=(1986, 1988),
            m2_per_household=55.0, protected=0,
            expect_buildings=6,
        ),
    ),
    dict(
        id="qiaojia_e", name="乔家路旧里(东)",
        name_en="Qiaojia Road old lanes (east)", kind="旧里",
        # under the diagonal stretch of 乔家路, north of 黄家小区/55弄
        outline=[(-95, -38), (20, -38), (20, 80), (-95, 80)],
        layout=dict(
            type="rows", anchor=(-94.0, -37.5), angle=0.0,
            pattern=OLD_LANE_PATTERN, bldg_len=28.0, bldg_gap=1.0,
            main_lanes=[dict(name="乔家路53弄", name_en="Lane 53, Qiaojia Road",
                             road="乔家路", points=[(-26.0, 8.0), (-26.0, -36.0)],
                             width=3.0),
                        dict(name="乔家路77弄", name_en="Lane 77, Qiaojia Road",
                             road="乔家路", points=[(-66.0, 40.0), (-66.0, -36.0)],
                             width=3.0)],
            connect_roads=["乔家路", "永泰街"],
            lane_names=["乔家路41弄", "乔家路45弄", "乔家路61弄", "乔家路71弄",
                        "乔家路83弄"],
            floors=((2, 3), (0.7, 0.3)), year=(1912, 1937),
            m2_per_household=38.0, protected=0,
        ),
    ),
    dict(
        id="huangjia", name="黄家小区", name_en="Huangjia Estate",
        kind="售后公房",
        # the east side runs along 黄家路55弄's west edge, so that the two meet
        # at one corner on 黄家路's reserve (a rectangle reaching past that
        # edge left a zero-width spike along the reserve: a vertex 1e-10 m
        # from an edge, a self-intersection once rounded or reprojected)
        outline=[(-250, -135), (-86, -132), (-55, -37), (-55, 5), (-250, 5)],
        layout=dict(
            type="rows", anchor=(-236.0, -92.0), angle=1.0,
            pattern=[("lane", 3.5), ("clear", 1.0), ("row", 11.0),
                     ("gap", 14.0)],
            bldg_len=34.0, bldg_gap=8.0,
            main_lanes=[dict(name="黄家路131弄", name_en="Lane 131, Huangjia Road",
                             road="黄家路", points=[(-153.0, -100.0),
                                                   (-153.0, 2.0)],
                             width=4.0)],
            connect_roads=[],
            floors=((5, 6), (0.4, 0.6)), year=(1982, 1992),
            m2_per_household=60.0, protected=0,
        ),
    ),
    dict(
        id="qiaojia_w", name="乔家路旧里(西)",
        name_en="Qiaojia Road old lanes (west)", kind="旧里",
        outline=[(-250, 5), (-82, 5), (-82, 110), (-250, 110)],
        layout=dict(
            type="rows", anchor=(-236.0, 7.0), angle=0.0,
            pattern=OLD_LANE_PATTERN, bldg_len=28.0, bldg_gap=1.0,
            main_lanes=[
                dict(name="乔家路113弄", name_en="Lane 113, Qiaojia Road",
                     road="乔家路", points=[(-190.0, 104.0), (-190.0, 8.0)],
                     width=3.0),
                dict(name="乔家路101弄", name_en="Lane 101, Qiaojia Road",
                     road="乔家路", points=[(-128.0, 74.0), (-128.0, 8.0)],
                     width=3.0),
            ],
            connect_roads=["乔家路"],
            lane_names=["乔家路97弄"],
            floors=((2, 3), (0.7, 0.3)), year=(1910, 1937),
            m2_per_household=38.0, protected=0,
        ),
    ),
]

# First street number of street-end buildings (see "frontage" above).
FRONTAGE_START = {"巡道街": 2}

# --------------------------------------------------------------------------
# Facilities (points).  "at" says where:
#   ("building", address)       at the centre of the building with that address
#   ("building_name", name)     at the centre of the building with that name
#   ("park", (dx, dy))          in the 面筋弄 pocket park, offset from its centre
#   ("lane", name, d, side)     d metres along the first lane with that name,
#                               side metres to its left (negative: right)
#   ("xy", (x, y))              at a local coordinate
# "installed" / "removed" (optional, "YYYY-MM-DD"): when works added or took
# away the facility (the 面筋弄 renewal opened the park and the station on
# the day it was completed, store/demo_projects.py); none is written as null.
# Garbage rooms, parking and the park must not fall inside a building.
# --------------------------------------------------------------------------
FACILITIES = [
    dict(kind="committee_office", name="金坛路居民区居委会",
         name_en="Jintan Road Residents' Committee",
         at=("building", "金坛路35弄13号"), address="金坛路35弄13号"),
    dict(kind="pocket_park", name="面筋弄口袋公园",
         name_en="Mianjin Lane pocket park",
         at=("park", (0.0, 0.0)), address="面筋弄", installed="2019-09-20"),
    dict(kind="service_station", name="面筋弄党群服务站",
         name_en="Mianjin Lane party and residents' service station",
         at=("park", (8.0, 5.0)), address="面筋弄", installed="2019-09-20"),
    dict(kind="activity_room", name="黄家路88弄居民活动室",
         name_en="Lane 88 Huangjia Road residents' activity room",
         at=("building_name", "黄家路88弄居民活动室"), address=None),
    dict(kind="garbage_room", name="面筋弄垃圾箱房", name_en="Garbage room",
         at=("lane", "面筋弄", 8.0, 2.0), address="面筋弄"),
    dict(kind="garbage_room", name="金坛路35弄垃圾箱房", name_en="Garbage room",
         at=("lane", "金坛路35弄", 10.0, -2.5), address="金坛路35弄"),
    dict(kind="garbage_room", name="黄家路55弄垃圾箱房", name_en="Garbage room",
         at=("lane", "黄家路55弄", 12.0, 3.0), address="黄家路55弄"),
    dict(kind="garbage_room", name="黄家路88弄垃圾箱房", name_en="Garbage room",
         at=("lane", "黄家路88弄", 10.0, -2.5), address="黄家路88弄"),
    dict(kind="garbage_room", name="黄家小区垃圾箱房", name_en="Garbage room",
         at=("lane", "黄家路131弄", 4.0, 3.0), address="黄家路131弄"),
    dict(kind="garbage_room", name="乔家路28弄垃圾箱房", name_en="Garbage room",
         at=("lane", "乔家路28弄", 10.0, 2.5), address="乔家路28弄"),
    dict(kind="parking", name="南花苑停车点", name_en="Nanhuayuan parking",
         at=("xy", (95.0, 266.0)), address="金坛路20弄"),
    dict(kind="parking", name="黄家小区停车点", name_en="Huangjia Estate parking",
         at=("xy", (-175.0, -68.0)), address="黄家路131弄"),
    dict(kind="parking", name="乔家路113弄停车点",
         name_en="Lane 113 Qiaojia Road parking",
         at=("xy", (-158.0, 72.0)), address="乔家路113弄"),
    dict(kind="parking", name="通达大厦停车点", name_en="Tongda Mansion parking",
         at=("lane", "通达大厦通道", 18.0, 4.0), address="中华路609号"),
]

# --------------------------------------------------------------------------
# Street lights
# --------------------------------------------------------------------------
LAMP_SEED = 20240630
LAMP_SPACING = 14.0         # target spacing along a line (m); 12-16 m suits 4 m lamps
LAMP_MIN_SEPARATION = 9.0   # drop a lane lamp closer than this to one placed
LAMP_ROAD_SEPARATION = 5.0  # ... and a street lamp (streets are lit first)
LAMP_LANE_OFFSET = 0.5      # lamps stand this far off a lane's centreline
LAMP_ROAD_OFFSET = 1.2      # ... and this far off a street's centreline
# Streets lit by this layer (the arterials 中华路/复兴东路 have their own
# lighting, not part of the neighbourhood's inventory), only where they run
# inside or along the boundary (within LAMP_ROAD_REACH of it); lamps on a
# boundary street stand on its inner side.
LAMP_ROADS = ("巡道街", "乔家路", "黄家路", "永泰街", "金坛路")
LAMP_ROAD_REACH = 0.5
# Lanes with no lamps until LAMP_WORKS lit them (黄家路55弄, dark for years).
UNLIT_COMPOUNDS = ("hjl55",)
UNLIT_CLEARANCE = 8.5       # no older lamp within this distance of an unlit lane
# Dark stretches: lamps inside these rectangles are missing (stolen, never
# installed), leaving 30-60 m gaps for gap analysis to find.
# Rectangles are (xmin, ymin, xmax, ymax) in local metres.
LAMP_DARK_ZONES = [
    (-215.0, 60.0, -185.0, 110.0),   # 乔家路 along the west end of the hook
    (-211.0, -38.0, -180.0, -22.0),  # 黄家小区, middle of the top lane
    (0.0, -110.0, 30.0, -80.0),      # 永泰街, middle stretch
]
LAMP_BROKEN_COUNT = 5

# Lamp attributes, drawn per lamp with LAMP_SEED.  Street lamps: taller
# poles, mostly cut-off.  Lane lamps: 3-4.5 m wall/pole lanterns, mostly
# semi-cut-off; a few old non-cut-off sodium lanterns (70-100 W, 2005-09).
LAMP_STYLES = {
    "road": dict(height=(5.0, 5.5, 6.0), power=(70, 80, 100),
                 luminaire={"cut-off": 0.8, "semi-cut-off": 0.2},
                 years=(2008, 2016)),
    "lane": dict(height=(3.0, 3.5, 4.0, 4.5), power=(30, 40, 50),
                 luminaire={"semi-cut-off": 0.6, "cut-off": 0.33,
                            "non-cut-off": 0.07},
                 years=(2005, 2017)),
    "non-cut-off": dict(power=(70, 100), years=(2005, 2009)),
}
# Every lamp above stood before the 2018-2020 survey (installed 2005-2017;
# the 2019-2020 lane renovations replaced lamps where they stood, which this
# inventory does not record); none is removed.

# Lamps that works added, appended after the lamps above (ids go on from
# there), all with the works' completion date as `installed`.  黄家路55弄's
# 2020 实事工程 (store/demo_projects.py: all lamps in and lit on 2020-05-28):
# 11 semi-cut-off 4 m lanterns on the centrelines of 55弄's main lane and
# its six branch lanes, where geo/lamp_placement.plan_lamps puts them for
# 55弄 without them (CJJ 45-2015: S <= 3.5 H = 14 m, a lit radius of 7 m),
# so that every metre of 55弄's lanes is lit.  Local metres as above.
LAMP_WORKS = [
    dict(works="黄家路55弄路灯实事工程", installed="2020-05-28", compound="hjl55",
         height=4.0, power=40, luminaire="semi-cut-off",
         at=[(-42.35, -117.95), (-38.0, -105.17), (-33.65, -92.39),
             (-29.3, -79.61), (-24.95, -66.83),          # main lane
             (-51.74, -114.75), (-32.95, -121.15),       # branch lanes
             (-43.04, -89.19), (-24.25, -95.59),
             (-34.34, -63.63), (-15.55, -70.03)]),
]
