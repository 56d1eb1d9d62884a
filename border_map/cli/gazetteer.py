"""``border-map geocode`` and ``border-map gazetteer search|show|import|stats``.

Parsing and serialising only: resolution lives in :mod:`border_map.gazetteer`,
feature building in :mod:`border_map.geocode`, the online fallback in
:mod:`border_map.online`. stdout carries data; problems are one line on stderr.
"""

from __future__ import annotations

import json
import sys

import click

from ..errors import BorderMapError, OnlineGeocodingError, PlaceError
from ..gazetteer import KIND_ALIASES, KINDS, POLICIES
from .errors import fail as _fail
from .options import max_import_opt, max_input_opt

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
FORMATS = ("geojson", "jsonl", "csv")


def _dumps(doc, indent=None) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=indent, allow_nan=False)


def _csv_text(rows: list[dict], fields, raw: bool = False) -> str:
    """CSV text; lists joined with ``|``; cells a spreadsheet would run as formulas get a
    leading ' unless ``raw``."""
    from ..csvsafe import csv_text

    rows = [{k: "|".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()}
            for row in rows]
    return csv_text(rows, fields, raw)


raw_csv_option = click.option(
    "--raw-csv", is_flag=True,
    help="With --format csv: write text cells as they are. By default a cell starting with "
         "= + - @, TAB or CR (a spreadsheet formula) gets a leading ' (README: Hostile input).")


country_option = click.option(
    "--country", type=click.Choice(["AF", "PK"], case_sensitive=False), default=None,
    help="Only places in this country (ISO alpha-2); crossings count for both.")
kind_option = click.option(
    "--kind", type=click.Choice(list(KINDS) + sorted(KIND_ALIASES), case_sensitive=False),
    default=None, help="Only places of this kind (agency = district, pass = feature, ...).")
admin_option = click.option("--admin", default=None, metavar="NAME",
                            help="Only places in this province or district (any spelling).")
indent_option = click.option("--indent", type=click.IntRange(0, 8), default=None,
                             help="Indent JSON output by N spaces.")


# -- geocode --------------------------------------------------------------------------------
@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("names", nargs=-1)
@country_option
@kind_option
@admin_option
@click.option("--policy", type=click.Choice([p for p in POLICIES if p]), default=None,
              help="How to break a tie instead of reporting it (default: report it).")
@click.option("--online", is_flag=True,
              help="Ask OpenStreetMap Nominatim for names the gazetteer lacks (needs network "
                   "and --user-agent; answers are cached).")
@click.option("--user-agent", envvar="BORDER_MAP_USER_AGENT", default=None, metavar="TEXT",
              help="Identifies you to Nominatim, e.g. 'my-project (me@example.org)' "
                   "[env BORDER_MAP_USER_AGENT].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="geojson",
              show_default=True, help="GeoJSON FeatureCollection, JSON lines or CSV.")
@click.option("--polygons", is_flag=True,
              help="Afghan provinces and Pakistani districts and tehsils as their polygon "
                   "(GeoJSON only).")
@click.option("--keep-going/--fail-fast", "keep_going", default=None,
              help="Report unresolved names in the output and go on, exit 1 at the end "
                   "(default for several names), or stop at the first (default for one).")
@raw_csv_option
@indent_option
def geocode(names, country, kind, admin, policy, online, user_agent, fmt, polygons, keep_going,
            raw_csv, indent):
    """Resolve place names offline; print GeoJSON (or JSON lines, CSV).

    Names may carry hints: "Kurram, Pakistan", "Spin Boldak, Kandahar",
    "Khyber district", "Chaman border". With no NAME, names are read from stdin,
    one per line. A bare name that names a town and the units or crossing around
    it is the town; the others are listed in "alternatives". Every name gets its
    own answer: an unknown or ambiguous one is a record with an "error" and its
    "candidates", and the command exits 1 at the end.

    \b
    Examples:
      border-map geocode Torkham Paktiya "Khyber district"
      border-map geocode --format csv < names.txt
      border-map geocode "Some Village" --online --user-agent "me (me@example.org)"
    """
    from ..geocode import RECORD_FIELDS, geocode_features, geocode_records

    if polygons and fmt != "geojson":
        raise click.UsageError("--polygons needs --format geojson")
    geocoder = None
    if online:
        if not (user_agent or "").strip():
            raise click.UsageError(
                "--online needs --user-agent (or BORDER_MAP_USER_AGENT): Nominatim's usage "
                "policy asks every client to identify itself")
        from ..online import OnlineGeocoder

        try:
            geocoder = OnlineGeocoder(user_agent)
        except ValueError as err:
            raise click.BadParameter(str(err), param_hint="--user-agent") from err
    if not names:
        names = tuple(line.strip() for line in sys.stdin if line.strip())
    if not names:
        raise click.UsageError("give at least one NAME (or names on stdin)")
    if keep_going is None:
        keep_going = len(names) > 1
    options = {"country": country, "kind": kind, "admin": admin, "policy": policy,
               "online": geocoder, "keep_going": keep_going}
    try:
        if fmt == "geojson":
            doc = geocode_features(names, polygons=polygons, **options)
            click.echo(_dumps(doc, indent))
            failed = [f["properties"] for f in doc["features"] if f["geometry"] is None]
        else:
            rows = geocode_records(names, **options)
            if fmt == "jsonl":
                for row in rows:
                    click.echo(_dumps(row))
            else:
                click.echo(_csv_text(rows, RECORD_FIELDS, raw_csv), nl=False)
            failed = [r for r in rows if r.get("error")]
    except (PlaceError, OnlineGeocodingError) as err:
        _fail(err)
    except ValueError as err:  # a bad hint the options could not catch (admin, ...)
        raise click.BadParameter(str(err)) from err
    finally:
        if geocoder is not None:
            geocoder.close()
    for row in failed:
        click.echo(f"border-map: {row['error']}", err=True)
    if failed:
        sys.exit(1)


# -- gazetteer ------------------------------------------------------------------------------
@click.group(context_settings=CONTEXT_SETTINGS)
def gazetteer():
    """Search, inspect and extend the offline gazetteer.

    \b
    Examples:
      border-map gazetteer search Khowst
      border-map gazetteer show pk.district.kurram
      border-map gazetteer import AF.txt          # a GeoNames country dump
      border-map gazetteer stats
    """


SEARCH_FIELDS = ("rank", "id", "name", "kind", "country", "admin1", "admin2", "lon", "lat",
                 "precision_km", "match", "score")


@gazetteer.command(context_settings=CONTEXT_SETTINGS)
@click.argument("text")
@click.option("-n", "--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many candidates.")
@country_option
@kind_option
@admin_option
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "csv"]), default="json",
              show_default=True)
@raw_csv_option
@indent_option
def search(text, limit, country, kind, admin, fmt, raw_csv, indent):
    """Ranked candidates for TEXT, each with how it matched and a 0-100 score.

    \b
    Example:
      border-map gazetteer search "Spin Boldak" --limit 5
    """
    from ..gazetteer import Gazetteer

    try:
        matches = Gazetteer.default().search(text, limit=limit, country=country, kind=kind,
                                             admin=admin)
    except BorderMapError as err:
        _fail(err)
    except ValueError as err:
        raise click.BadParameter(str(err)) from err
    rows = []
    for rank, m in enumerate(matches, start=1):
        p = m.place
        rows.append({"rank": rank, "id": p.id, "name": p.name, "kind": p.kind,
                     "country": p.country, "admin1": p.admin1 or None,
                     "admin2": p.admin2 or None, "lon": p.lon, "lat": p.lat,
                     "precision_km": p.precision_km, "match": m.match, "score": m.score})
    if fmt == "json":
        click.echo(_dumps(rows, indent))
    elif fmt == "jsonl":
        for row in rows:
            click.echo(_dumps(row))
    else:
        click.echo(_csv_text(rows, SEARCH_FIELDS, raw_csv), nl=False)


@gazetteer.command(context_settings=CONTEXT_SETTINGS)
@click.argument("place_id")
@click.option("--polygon", is_flag=True, help="Include the province polygon (GeoJSON) if any.")
@indent_option
def show(place_id, polygon, indent):
    """Every field of one place, where it comes from, and its precision codes.

    \b
    Example:
      border-map gazetteer show af.province.paktia --polygon
    """
    from ..gazetteer import Gazetteer, precision_code

    try:
        gaz = Gazetteer.default()
        place = gaz.get(place_id)
        doc = place.to_properties()
        doc["origin"] = gaz.origin(place_id)
        doc["precision_code"] = {"acled": precision_code(place, "acled", gaz),
                                 "ucdp": precision_code(place, "ucdp", gaz)}
        shape = gaz.polygon(place)
        doc["has_polygon"] = shape is not None
        if polygon and shape is not None:
            from shapely.geometry import mapping

            doc["polygon"] = json.loads(json.dumps(mapping(shape)))
    except BorderMapError as err:
        _fail(err)
    click.echo(_dumps(doc, indent))


@gazetteer.command("import", context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["auto", "csv", "geonames"]), default="auto",
              show_default=True, help="A CSV in the gazetteer's columns, or a GeoNames dump.")
@max_input_opt
@max_import_opt
@indent_option
def import_(file, fmt, indent):
    """Add places from FILE to your local gazetteer index.

    FILE is a CSV with the shipped columns (id,name,aliases,kind,country,admin1,
    admin2,lon,lat,precision_km,source,derivation) or a GeoNames country dump
    (AF.txt, PK.txt or their .zip: 19 tab-separated columns). The index lives in
    $BORDER_MAP_HOME (else $XDG_DATA_HOME/border-map); importing a file again
    replaces its rows. CSV places rank with the shipped ones; GeoNames dump
    places are a fallback for names nothing else matches.

    \b
    Example:
      border-map gazetteer import my_villages.csv
    """
    from ..data import GAZETTEER, geodata_path
    from ..gazetteer import UserIndex, read_places_csv

    index = UserIndex.default()
    try:
        shipped_ids = [p.id for p in read_places_csv(geodata_path(GAZETTEER))]
        report = index.import_file(file, fmt=fmt, reserved_ids=shipped_ids)
        total = index.stats()["places"]
    except BorderMapError as err:
        _fail(err)
    finally:
        index.close()
    click.echo(_dumps({**report._asdict(), "index_places": total}, indent))


@gazetteer.command(context_settings=CONTEXT_SETTINGS)
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json",
              show_default=True)
@indent_option
def stats(fmt, indent):
    """Counts of places by country and kind (shipped, your CSVs, GeoNames dumps).

    \b
    Example:
      border-map gazetteer stats --format text
    """
    from ..gazetteer import Gazetteer, UserIndex

    try:
        gaz = Gazetteer.default()
        doc = gaz.stats()
        doc["user_index"] = UserIndex.default().stats()
        doc["user_index"].pop("by_country", None)
    except BorderMapError as err:
        _fail(err)
    if fmt == "json":
        click.echo(_dumps(doc, indent))
        return
    lines = [f"{'':10s}" + "".join(f"{k:>10s}" for k in ("total", *KINDS))]
    for cc, counts in doc["by_country"].items():
        lines.append(f"{cc:10s}" + "".join(f"{counts.get(k, 0):>10d}" for k in ("total", *KINDS)))
    lines.append(f"names (normalised keys): {doc['names']}; by origin: "
                 + ", ".join(f"{k} {v}" for k, v in doc["by_origin"].items()))
    fallback = doc.get("fallback")
    if fallback:
        lines.append(f"GeoNames dump fallback: {fallback['places']} places")
    lines.append(f"user index: {doc['user_index']['index']}")
    click.echo("\n".join(lines))
