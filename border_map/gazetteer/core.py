"""The :class:`Gazetteer`: resolution tiers, the nested-homonym rule, the fuzzy guard."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable

from ..errors import AmbiguousPlace, DataError, PlaceError, PlaceNotFound
from ..geo import haversine_km
from .names import (
    _ADMIN_KINDS,
    _COUNTRY_NAMES,
    _DOUBLES,
    _FATA_AGENCIES,
    _GENERIC_WORDS,
    _IZAFE,
    _KIND_RANK,
    _KIND_WORDS,
    _TRIBAL_UNITS,
    _WORD,
    COUNTRIES,
    FUZZY_THRESHOLD,
    KIND_ALIASES,
    KINDS,
    POLICIES,
    TRANSLIT_SCORE,
    _fold,
    _split,
    normalize_name,
    pashto_key,
    similarity,
    transliteration_key,
)
from .places import _NO_HINTS, Match, Place, _Hints, _new_match


# -- the gazetteer ------------------------------------------------------------------------
class Gazetteer:
    """An in-memory gazetteer with dictionary indexes built once.

    ``fallback`` is an optional :class:`UserIndex` whose GeoNames dump places are
    consulted only when the in-memory places give nothing at a tier.
    ``origins`` maps place ids to where they came from (default "shipped").
    """

    def __init__(self, places: Iterable[Place], *, fallback: UserIndex | None = None,
                 origins: dict[str, str] | None = None):
        self._places: tuple[Place, ...] = tuple(places)
        self._by_id: dict[str, Place] = {}
        by_key: dict[str, dict[str, str]] = {}
        by_translit: dict[str, dict[str, None]] = {}
        by_pashto: dict[str, dict[str, None]] = {}
        for place in self._places:
            if place.id in self._by_id:
                raise DataError(f"duplicate place id '{place.id}'", field="id")
            self._by_id[place.id] = place
            for text, how in [(place.name, "exact")] + [(a, "alias") for a in place.aliases]:
                key = normalize_name(text)
                if not key:
                    continue
                slot = by_key.setdefault(key, {})
                if slot.get(place.id) != "exact":
                    slot[place.id] = how
                by_translit.setdefault(transliteration_key(key), {})[place.id] = None
                by_pashto.setdefault(pashto_key(key), {})[place.id] = None
        by_id = self._by_id
        self._by_key = {k: tuple((by_id[pid], how) for pid, how in v.items())
                        for k, v in by_key.items()}
        self._by_translit = {k: tuple(by_id[pid] for pid in v) for k, v in by_translit.items()}
        self._by_pashto = {k: tuple(by_id[pid] for pid in v) for k, v in by_pashto.items()}
        self._fuzzy = _FuzzyIndex(self._by_key)
        self._tfuzzy: _FuzzyIndex | None = None  # over transliteration keys, built on first use
        self._border_cache: dict[str, float] = {}
        self._nest = _nested_namesakes(self._places)
        # names as written (lower-cased) -> their key and implied kinds: a query spelt as
        # the gazetteer spells it skips normalisation
        self._written: dict[str, tuple[str, tuple[str, ...]]] = {}
        for place in self._places:
            for text in (place.name, *place.aliases):
                self._written.setdefault(text.lower(), _split(text))
        self._fallback = fallback
        self._origins = dict(origins or {})
        self._decided: dict[tuple[str, tuple[str, ...]], Match | None] = {}

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_csv(cls, path) -> Gazetteer:
        """Read a gazetteer CSV; a bad row raises DataError naming file, row and field."""
        return cls(read_places_csv(path))

    @classmethod
    def default(cls) -> Gazetteer:
        """The shipped gazetteer plus the user's imported places (see :class:`UserIndex`).

        Cached per process; rebuilt when the shipped file or the user index changes.
        """
        from ..data import GAZETTEER, geodata_path

        shipped = geodata_path(GAZETTEER)
        index = UserIndex.default_path()
        return _default_gazetteer(str(shipped), _file_signature(shipped),
                                  str(index), _file_signature(index))

    # -- container protocol ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._places)

    def __iter__(self):
        return iter(self._places)

    def __contains__(self, place_id) -> bool:
        if place_id in self._by_id:
            return True
        return self._fallback is not None and self._fallback.get(place_id) is not None

    @property
    def fallback(self) -> UserIndex | None:
        """The user index holding GeoNames dump places, if any."""
        return self._fallback

    def get(self, place_id: str) -> Place:
        """The place with this id; PlaceNotFound if there is none."""
        place = self._by_id.get(place_id)
        if place is None and self._fallback is not None:
            place = self._fallback.get(place_id)
        if place is None:
            message = f"no gazetteer entry with id '{place_id}'"
            raise PlaceNotFound(place_id, message=message)
        return place

    def origin(self, place_id: str) -> str:
        """Where a place comes from: "shipped", "user:<file>" or "geonames:<file>"."""
        if place_id in self._by_id:
            return self._origins.get(place_id, "shipped")
        if self._fallback is not None:
            origin = self._fallback.origin(place_id)
            if origin:
                return origin
        raise PlaceNotFound(place_id, message=f"no gazetteer entry with id '{place_id}'")

    def polygon(self, place: Place | str):
        """The shapely polygon of an Afghan province or a Pakistani district or border-
        province tehsil, or None for places without one."""
        place_id = place if isinstance(place, str) else place.id
        return _province_polygons().get(place_id)

    def stats(self) -> dict:
        """Counts by country and kind, in memory and in the fallback layer."""
        counts = Counter((p.country, p.kind) for p in self._places)
        out: dict = {"places": len(self._places), "by_country": {}}
        for cc in COUNTRIES:
            kinds = {k: counts[(cc, k)] for k in KINDS if counts[(cc, k)]}
            out["by_country"][cc] = {"total": sum(kinds.values()), **kinds}
        origins = Counter(self._origins.get(p.id, "shipped").split(":", 1)[0]
                          for p in self._places)
        out["by_origin"] = dict(sorted(origins.items()))
        out["names"] = len(self._by_key)
        if self._fallback is not None:
            out["fallback"] = self._fallback.stats(layer="geonames")
        return out

    # -- resolution -----------------------------------------------------------------------
    def resolve(
        self, name: str, *, country: str | None = None, kind: str | Iterable[str] | None = None,
        admin: str | None = None, policy: str | None = None,
    ) -> Match:
        """Resolve one place name to a single :class:`Match` (see the module docstring).

        Raises
        ------
        PlaceNotFound
            no place matches (or only fuzzy matches that are not confident), with
            "did you mean" candidates;
        AmbiguousPlace
            several places match equally well, are not nested namesakes, and no
            ``policy`` was chosen;
        ValueError
            an unknown country, kind or policy.
        """
        if country is None and kind is None and admin is None and policy is None:
            # fast path (no alternatives built): the exact tier's answer, worked out once
            written = self._written.get(name.lower())
            key, implied = written if written is not None else _split(name)
            entries = self._by_key.get(key)
            if entries is not None and "," not in name:
                if len(entries) == 1 and not implied and entries[0][0].id not in self._nest:
                    place, how = entries[0]
                    return _new_match((name, place, how, 100.0))
                decided = self._decided.get((key, implied), False)
                if decided:
                    chosen = decided[0]
                    return _new_match((name, chosen.place, chosen.match, 100.0))
        return self.resolve_detail(name, country=country, kind=kind, admin=admin,
                                   policy=policy)[0]

    def resolve_detail(
        self, name: str, *, country: str | None = None, kind: str | Iterable[str] | None = None,
        admin: str | None = None, policy: str | None = None,
    ) -> tuple[Match, tuple[Match, ...]]:
        """Like :meth:`resolve`, with the **alternatives**: the other places the name
        equally matched that the nesting rule set aside (Chaman district, tehsil and
        crossing for "Chaman", which resolves to the town), best first."""
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}; use one of {POLICIES[1:]}")
        if country is None and kind is None and admin is None and policy is None and (
                "," not in name):
            # fast path: no hints but the name's own words, the common case of batch geocoding
            written = self._written.get(name.lower())
            key, implied = written if written is not None else _split(name)
            entries = self._by_key.get(key)
            if entries is not None:
                if len(entries) == 1 and not implied and entries[0][0].id not in self._nest:
                    place, how = entries[0]
                    return _new_match((name, place, how, 100.0)), ()
                memo = (key, implied)
                decided = self._decided.get(memo, False)
                if decided is False:  # the exact tier's answer for this key, worked out once
                    hints = _NO_HINTS.with_kinds(implied) if implied else _NO_HINTS
                    found = self._exact_tier(key, key, hints)
                    decided = self._settle(found, hints) if found else None
                    self._decided[memo] = decided
                if decided is not None:
                    chosen, alternatives = decided
                    return (_new_match((name, chosen.place, chosen.match, 100.0)),
                            tuple(_new_match((name, m.place, m.match, m.score))
                                  for m in alternatives))
        query = name
        key, implied, given = self._prepare_parts(name, country, kind, admin)
        hints = given.with_kinds(implied) if implied else given
        if not key:
            raise PlaceNotFound(query, message=f"empty place name {query!r}")
        literal = _literal_key(name, key)

        for layer in self._layers():
            written = _as_written(layer, query, key, hints, literal, given)
            if written is not None:
                return self._decide(query, written[0], policy, written[1])
            # unknown as written: trailing kind words ("Lowari pass", "Angoor Adda
            # border crossing") may be hints
            short, kind_hints = _strip_kind_words(key, hints)
            if short != key:
                for tier in (layer._exact_tier, layer._translit_tier):
                    found = tier(query, short, kind_hints)
                    if found:
                        return self._decide(query, found, policy, kind_hints)
            if layer is self:  # Pashto's dz and zh written j, z or zh, near the line
                for k, h in ((key, hints), (short, kind_hints)):
                    found = self._pashto_tier(query, k, h)
                    if found:
                        return self._decide(query, found, policy, h)
        fixed = _misspelt_generic(key)
        if fixed is not None:  # "Zurmat Distrcit", "Nangarhar Provnce"
            key, hints = fixed[0], hints.with_kinds({fixed[1]})
            for layer in self._layers():
                for tier in (layer._exact_tier, layer._translit_tier):
                    found = tier(query, key, hints)
                    if found:
                        return self._decide(query, found, policy, hints)
        split = self._trailing_hint(key, hints)
        if split is not None:  # "Mohmand Agency FATA", "Kurram Pakistan"
            short, short_hints = split
            for layer in self._layers():
                for tier in (layer._exact_tier, layer._translit_tier):
                    found = tier(query, short, short_hints)
                    if found:
                        return self._decide(query, found, policy, short_hints)
        for short, short_hints in self._second_readings(name, key, hints):
            for layer in self._layers():
                for tier in (layer._exact_tier, layer._translit_tier):
                    found = tier(query, short, short_hints)
                    if found:
                        return self._decide(query, found, policy, short_hints)
        if " " in key:  # the words joined ("Alah abad" = Alahabad): a spelling variant, so
            joined = key.replace(" ", "")  # the transliteration tier (fuzzy, 95)
            for layer in self._layers():
                found = layer._translit_tier(query, joined, hints)
                if found:
                    return self._decide(query, found, policy, hints)
        fuzzy_key, fuzzy_hints = _strip_kind_words(key, hints)
        readings = [(fuzzy_key, fuzzy_hints)]
        container = _container_reading(name, hints)
        if container is not None:  # "Shaheed Banda area of Pandiali tehsil"
            readings.append(container)
        unsure: list[Match] = []
        for reading_key, reading_hints in readings:
            for layer in self._layers():
                found = layer._variant_tier(query, reading_key, reading_hints, FUZZY_THRESHOLD)
                if found:
                    sure = [m for m in found if confident_fuzzy(reading_key, m.place, m.score)
                            and self._border_km(m.place) <= FUZZY_BORDER_KM]
                    if sure:
                        return self._decide(query, sure, policy, reading_hints)
                    unsure.extend(found)
        if unsure:  # close in letters but not a spelling variant: no confident answer
            raise PlaceNotFound(query, candidates=sorted(unsure, key=_rank)[:5], message=(
                f"no confident match for {query!r}: the closest names differ by more than "
                f"a spelling variant; candidates: "
                + "; ".join(_describe(m.place) for m in sorted(unsure, key=_rank)[:5])))
        raise PlaceNotFound(query, candidates=self._suggestions(query, key, hints))

    def search(
        self, text: str, *, limit: int = 10, country: str | None = None,
        kind: str | Iterable[str] | None = None, admin: str | None = None,
    ) -> list[Match]:
        """Ranked candidates for ``text`` (exact/alias, transliteration, then fuzzy)."""
        key, hints = self._prepare(text, country, kind, admin)
        if not key or limit <= 0:
            return []
        best: dict[str, Match] = {}
        for layer in self._layers():
            tiers = (
                layer._exact_tier(text, key, hints),
                layer._translit_tier(text, key, hints),
                layer._fuzzy_tier(text, key, hints, 50.0, best_only=False,
                                  limit=max(limit * 5, 25)),
            )
            for tier in tiers:
                for m in tier:
                    if m.place.id not in best or m.score > best[m.place.id].score:
                        best[m.place.id] = m
        return sorted(best.values(), key=_rank)[:limit]

    def resolve_known(self, name: str, *, country: str | None = None,
                      kind: str | Iterable[str] | None = None,
                      admin: str | None = None) -> Match | None:
        """:meth:`resolve` without the fuzzy tier and without suggestions: the place when the
        name is known as written (or transliterated), None when it is not or is ambiguous.

        For rows that carry their own point (ACLED, UCDP): the name is only shown, so a
        guess is never worth its cost or its risk.
        """
        try:
            key, implied, given = self._prepare_parts(name, country, kind, admin)
        except ValueError:
            return None
        if not key:
            return None
        hints = given.with_kinds(implied) if implied else given
        literal = _literal_key(name, key)
        for layer in self._layers():
            written = _as_written(layer, name, key, hints, literal, given)
            if written is not None:
                try:
                    return self._decide(name, written[0], None, written[1])[0]
                except PlaceError:
                    return None
        return None

    # -- internals ------------------------------------------------------------------------
    def _layers(self):
        yield self
        if self._fallback is not None and self._fallback.has_layer("geonames"):
            yield self._fallback.layer("geonames")

    def _prepare(self, text, country, kind, admin) -> tuple[str, _Hints]:
        key, implied, hints = self._prepare_parts(text, country, kind, admin)
        return key, (hints.with_kinds(implied) if implied else hints)

    def _prepare_parts(self, text, country, kind, admin) -> tuple[str, tuple[str, ...], _Hints]:
        """The key of a query, the kinds its generic words imply, and the hints given
        (comma parts, arguments) without those implied kinds."""
        parts = [p.strip() for p in str(text).split(",")]
        key, implied = _split(parts[0])
        countries: set[str] = set()
        admins: list[frozenset[str]] = []
        for extra in [p for p in parts[1:] if p] + ([admin] if admin else []):
            extra_key = normalize_name(extra)
            if extra_key in _COUNTRY_NAMES:
                countries.add(_COUNTRY_NAMES[extra_key])
            elif extra_key:
                admins.append(self._admin_names(extra_key))
        if country:
            code = _COUNTRY_NAMES.get(normalize_name(country))
            if code is None:
                raise ValueError(
                    f"unknown country hint {country!r}; use AF, PK, Afghanistan or Pakistan")
            countries.add(code)
        kinds: set[str] = set()
        if kind:
            for k in [kind] if isinstance(kind, str) else kind:
                k = KIND_ALIASES.get(k.strip().lower(), k.strip().lower())
                if k not in KINDS:
                    raise ValueError(f"unknown kind {k!r}; use one of {', '.join(KINDS)}")
                kinds.add(k)
        hints = _Hints(countries, kinds, admins) if (countries or kinds or admins) else _NO_HINTS
        return key, implied, hints

    def _second_readings(self, name: str, key: str, hints: _Hints):
        """Further readings of a name unknown as written, most literal first:

        * a trailing "valley" or "area" dropped without a kind ("Chitral Valley",
          "Arandu Valley": the valley of a town or crossing);
        * leading words that describe rather than name dropped: compass words
          ("eastern Kunar"), "general area"/"area" (ISPR's "general area Sambaza"),
          "upper"/"lower" ("Lower Alizai");
        * "X of Y", "X in Y" and "Y's X": Y as an admin or country hint ("Zhob District
          of Balochistan", "Khyber Agency's Tirah Valley");
        * "X area of Y" (or village, town, bazaar) with X unknown: Y itself when it is a
          province, district or tehsil, the unit that holds the area ("Alingar area of
          Safi tehsil");
        * "crossing at X" / "border crossing in X": X as a crossing ("Pakistani-Afghan
          border crossing at Chaman").
        """
        tokens = key.split()
        if len(tokens) > 1 and tokens[-1] in ("valley", "area"):
            yield " ".join(tokens[:-1]), hints
        lead = 0
        while lead < len(tokens) - 1 and tokens[lead] in _DESCRIPTIVE:
            lead += 1
        if lead:
            rest = " ".join(tokens[lead:])
            yield _split(rest)[0], hints.with_kinds(_split(rest)[1]) if _split(rest)[1] else hints
            short, kind_hints = _strip_kind_words(_split(rest)[0], hints)
            if short != _split(rest)[0]:
                yield short, kind_hints
        text = _fold(name.split(",")[0])
        for pattern in (_OF_PATTERN, _POSSESSIVE):
            m = pattern.match(text)
            if not m:
                continue
            head, tail = m.group("head"), m.group("tail")
            tail_key = normalize_name(tail)
            head_key, implied = _split(head)
            if not head_key or not tail_key:
                continue
            # a generic word ending the tail ("... of Upper South Waziristan district") is the
            # tail's kind, not the head's
            kinds = hints.kinds - set(_split(tail)[1]) if pattern is _OF_PATTERN else hints.kinds
            if tail_key in _COUNTRY_NAMES:
                extra = _Hints(hints.countries | {_COUNTRY_NAMES[tail_key]}, kinds, hints.admins)
            else:
                extra = _Hints(hints.countries, kinds,
                               hints.admins + (self._admin_names(tail_key),))
            extra = extra.with_kinds(implied) if implied else extra
            yield head_key, extra
            short, kind_hints = _strip_kind_words(head_key, extra)
            if short != head_key:
                yield short, kind_hints
                yield short, extra
            yield head_key, hints  # Y names no unit the place is listed in (a feature)
            if pattern is _OF_PATTERN:
                container = _container_reading(name, hints)
                if container is not None:
                    yield container
        m = _AT_CROSSING.match(text)
        if m:  # "Pakistan-Afghanistan border crossing at Chaman": the crossing there
            yield normalize_name(m.group("tail")), hints.with_kinds({"crossing"})

    def _trailing_hint(self, key: str, hints: _Hints):
        """For a name unknown as written: its last one or two words as a country or
        province/district hint, and the rest re-normalised ("mohmand agency fata")."""
        tokens = key.split()
        for n in (1, 2):
            if len(tokens) <= n:
                break
            tail, head = " ".join(tokens[-n:]), " ".join(tokens[:-n])
            short, implied = _split(head)
            if not short:
                continue
            if tail in _COUNTRY_NAMES:
                extra = _Hints(hints.countries | {_COUNTRY_NAMES[tail]}, hints.kinds, hints.admins)
            elif any(p.kind in ("province", "district") for p, _ in self._by_key.get(tail, ())):
                extra = _Hints(hints.countries, hints.kinds,
                               hints.admins + (self._admin_names(tail),))
            else:
                continue
            return short, (extra.with_kinds(implied) if implied else extra)
        return None

    def _admin_names(self, key: str) -> frozenset[str]:
        """Normalised names of the provinces/districts a hint like "Paktiya" may mean."""
        names = {key}
        places = [p for p, _ in self._by_key.get(key, ())]
        places += list(self._by_translit.get(transliteration_key(key), ()))
        for place in places:
            if place.kind in ("province", "district", "tehsil"):
                names.add(normalize_name(place.name))
        if "fata" in names:  # merged into Khyber Pakhtunkhwa in 2018: its former agencies
            names |= _FATA_AGENCIES
        return frozenset(names)

    def _exact_tier(self, query, key, hints) -> list[Match]:
        entries = self._by_key.get(key, ())
        if not hints:
            return [_new_match((query, p, how, 100.0)) for p, how in entries]
        return self._accepted(query, [(p, how, 100.0) for p, how in entries], hints)

    def _translit_tier(self, query, key, hints) -> list[Match]:
        entries = self._by_translit.get(transliteration_key(key), ())
        return self._accepted(query, [(p, "fuzzy", TRANSLIT_SCORE) for p in entries], hints)

    def _pashto_tier(self, query, key, hints) -> list[Match]:
        """Places whose names match ``key`` once Pashto's dz and zh sounds are merged
        (:func:`pashto_key`: Jadran = Zadran, Zhawar = Jawar), reported as fuzzy, and only
        within :data:`FUZZY_BORDER_KM` of the line: elsewhere j and z are two letters
        (Kunjah in Punjab is not Khunza in Hunza)."""
        entries = self._by_pashto.get(pashto_key(key), ())
        if not entries:
            return []
        found = self._accepted(query, [(p, "fuzzy", TRANSLIT_SCORE) for p in entries], hints)
        return [m for m in found if self._border_km(m.place) <= FUZZY_BORDER_KM]

    def _accepted(self, query, entries, hints) -> list[Match]:
        """Matches for the places the hints accept; a rejected place's nested namesake
        that they accept stands in for it ("Esedabad District": the town's spelling,
        the district asked for)."""
        out: dict[str, Match] = {}
        for place, how, score in entries:
            if hints.accepts(place):
                out.setdefault(place.id, _new_match((query, place, how, score)))
            elif hints:
                for other in self._nest.get(place.id, ()):
                    if hints.accepts(other):
                        out.setdefault(other.id, _new_match((query, other, how, score)))
        return list(out.values())

    def _fuzzy_tier(self, query, key, hints, cutoff, best_only=True, limit=50) -> list[Match]:
        if best_only:  # the best match is one edit away if anything is: look there first
            near = self._fuzzy_matches(query, self._fuzzy.one_edit(key, cutoff), hints, True)
            if near:
                return near
        return self._fuzzy_matches(query, self._fuzzy.extract(key, cutoff, limit), hints,
                                   best_only)

    def _border_km(self, place: Place) -> float:
        """Distance (km) of a place from the shipped Durand Line, cached."""
        if not self._border_cache:  # every place at once: one vectorised query
            from ..border import DurandLine

            line = DurandLine.default()
            places = self._places
            km = line.distance_km([p.lon for p in places], [p.lat for p in places])
            self._border_cache.update(zip((p.id for p in places), map(float, km), strict=True))
        km = self._border_cache.get(place.id)
        if km is None:  # a place of the GeoNames fallback layer
            from ..border import DurandLine

            km = float(DurandLine.default().distance_km([place.lon], [place.lat])[0])
            self._border_cache[place.id] = km
        return 0.0 if place.kind == "crossing" else km

    def _variant_tier(self, query, key, hints, cutoff) -> list[Match]:
        """Fuzzy matching on transliteration keys (romanisation variants already merged,
        so "Barg Mittal" meets "Barg-e Matal"), best score only."""
        if self._tfuzzy is None:
            self._tfuzzy = _FuzzyIndex(self._by_translit)
        tkey = transliteration_key(key)
        scored = self._tfuzzy.one_edit(tkey, cutoff) or self._tfuzzy.extract(tkey, cutoff, 50)
        matches: dict[str, Match] = {}
        for cand_key, score in scored:
            for place in self._by_translit[cand_key]:
                pid = place.id
                if hints.accepts(place) and (pid not in matches or score > matches[pid].score):
                    matches[pid] = _new_match((query, place, "fuzzy", round(score, 1)))
        ranked = sorted(matches.values(), key=_rank)
        if ranked:
            ranked = [m for m in ranked if m.score == ranked[0].score]
        return ranked

    def _fuzzy_matches(self, query, scored, hints, best_only) -> list[Match]:
        matches: dict[str, Match] = {}
        for cand_key, score in scored:
            for place, _how in self._by_key[cand_key]:
                pid = place.id
                if hints.accepts(place) and (pid not in matches or score > matches[pid].score):
                    matches[pid] = _new_match((query, place, "fuzzy", round(score, 1)))
        ranked = sorted(matches.values(), key=_rank)
        if best_only and ranked:
            top = ranked[0].score
            ranked = [m for m in ranked if m.score == top]
        return ranked

    def _suggestions(self, query, key, hints) -> list[Match]:
        """Up to five "did you mean" candidates, generous where the fuzzy tier is strict."""
        from rapidfuzz import fuzz, process

        for h in (hints, _NO_HINTS):
            closest = self._fuzzy_tier(query, key, h, 50.0, best_only=False)
            if closest:
                return closest[:5]
        # partial and token-wise likeness ("Nangarharr Provinceq"), scored by WRatio
        out: dict[str, Match] = {}
        for cand_key, score, _ in process.extract(key, self._fuzzy.keys, scorer=fuzz.WRatio,
                                                  score_cutoff=60.0, limit=10):
            for place, _how in self._by_key[cand_key]:
                if place.id not in out:
                    out[place.id] = _new_match((query, place, "fuzzy", round(score, 1)))
        return sorted(out.values(), key=_rank)[:5]

    def _with_namesakes(self, found: list[Match], hints: _Hints = _NO_HINTS) -> list[Match]:
        """``found`` plus the nested namesakes of its places that the hints accept
        (Ghoriyan district for a spelling only the town lists), same match and score."""
        if not any(m.place.id in self._nest for m in found):
            return found
        out = {m.place.id: m for m in found}
        for m in found:
            for other in self._nest.get(m.place.id, ()):
                if other.id not in out and hints.accepts(other):
                    out[other.id] = _new_match((m.query, other, m.match, m.score))
        return list(out.values())

    def _settle(self, found: list[Match], hints: _Hints = _NO_HINTS):
        """What a tie resolves to without a policy (nested namesakes): (match,
        alternatives), or None."""
        ranked = sorted(self._with_namesakes(found, hints), key=_rank)
        if len(ranked) == 1:
            return ranked[0], ()
        return _nested_choice(ranked)

    def _decide(self, query: str, found: list[Match], policy: str | None,
                hints: _Hints = _NO_HINTS) -> tuple[Match, tuple[Match, ...]]:
        ranked = sorted(self._with_namesakes(found, hints), key=_rank)
        if len(ranked) == 1:
            return ranked[0], ()
        nested = _nested_choice(ranked)
        if policy is None and nested is not None:
            return nested
        if policy == "first":
            chosen = ranked[0]
        elif policy == "smallest":
            chosen = min(ranked, key=lambda m: (m.place.precision_km, _rank(m)))
        elif policy == "largest":
            chosen = max(ranked, key=lambda m: (m.place.precision_km, -_KIND_RANK[m.place.kind]))
        elif policy == "border-most":
            chosen = _border_most(ranked)
        else:
            raise AmbiguousPlace(query, candidates=ranked)
        return chosen, tuple(m for m in ranked if m is not chosen)


class _FuzzyIndex:
    """Normalised keys indexed two ways for fuzzy matching.

    * by length, so a scan reads only keys that can reach a cutoff: OSA
      similarity is 1 - distance / max(len), so a key of length m can reach
      cutoff c against a query of length n only if |n - m| <= (1 - c) * max(n, m);
    * by single-letter deletions (the SymSpell idea): two strings within one
      insertion, deletion, substitution or swap of neighbours share a deletion
      variant, so the keys one edit away come from a few dictionary lookups.
      A one-edit match always scores higher than any two-edit match (for keys of
      two letters or more), so when one exists the best match is among them.
    """

    def __init__(self, keys: Iterable[str], deletions: bool = True):
        self.keys = sorted(keys)
        self._by_len: dict[int, list[str]] = {}
        for k in self.keys:
            self._by_len.setdefault(len(k), []).append(k)
        self._use_deletions = deletions
        self._deletes: dict[str, list[str]] | None = None  # built on the first fuzzy query
        self._windows: dict[tuple[int, float], list[str]] = {}

    def one_edit(self, key: str, cutoff: float) -> list[tuple[str, float]]:
        """Keys within one edit of ``key`` scoring at least ``cutoff``, best first."""
        from rapidfuzz.distance import OSA

        if not self._use_deletions:
            return []
        if self._deletes is None:
            deletes: dict[str, list[str]] = {}
            for k in self.keys:
                for variant in _deletions(k):
                    deletes.setdefault(variant, []).append(k)
            self._deletes = deletes
        found: set[str] = set()
        for variant in _deletions(key):
            found.update(self._deletes.get(variant, ()))
        scored = []
        for k in found:
            score = 100.0 * OSA.normalized_similarity(key, k)
            if score >= cutoff:
                scored.append((k, score))
        return sorted(scored, key=lambda t: (-t[1], t[0]))

    def _window(self, n: int, cutoff: float) -> list[str]:
        slot = (n, cutoff)
        keys = self._windows.get(slot)
        if keys is None:
            c = cutoff / 100.0
            lo = math.ceil(n * c - 1e-9)
            hi = math.floor(n / c + 1e-9) if c > 0 else max(self._by_len, default=0)
            keys = [k for m in range(lo, hi + 1) for k in self._by_len.get(m, ())]
            self._windows[slot] = keys
        return keys

    def extract(self, key: str, cutoff: float, limit: int) -> list[tuple[str, float]]:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        choices = self._window(len(key), cutoff)
        if not choices:
            return []
        scored = process.extract(key, choices, scorer=OSA.normalized_similarity,
                                 score_cutoff=cutoff / 100.0, limit=limit)
        return [(k, 100.0 * s) for k, s, _ in scored]


# Leading words that describe a place rather than name it (second readings only).
_DESCRIPTIVE = frozenset({
    "eastern", "western", "northern", "southern", "northeastern", "northwestern",
    "southeastern", "southwestern", "east", "west", "north", "south", "general", "area",
    "upper", "lower", "the",
})
_OF_PATTERN = re.compile(r"^(?P<head>.+?)\s+(?:of|in)\s+(?P<tail>[^,]+)$")
_POSSESSIVE = re.compile(r"^(?P<tail>.+?)s\s+(?P<head>.+)$")  # apostrophe folded away
# Last words of "X area of Y" that make Y the answer when X is unknown.
_AREA_WORDS = frozenset({"area", "areas", "village", "villages", "town", "bazaar", "bazar",
                         "locality", "region", "valley", "post", "posts", "checkpost",
                         "checkpoint", "checkpoints"})
# ... when Y is an admin unit: a town's 2 km radius would not hold its villages.
_CONTAINERS = frozenset({"province", "district", "tehsil"})


def _as_written(layer, query, key, hints, literal, given):
    """The first reading of a name as written that finds places in ``layer`` (the
    gazetteer or a user-index layer), as (matches, hints), or None: the exact tier, then
    the literal key (generic words kept) by transliteration, then the key by
    transliteration.

    The literal reading meets a place named with a generic word spelt in a way the
    vocabulary lacks ("uluswali Behsud" = Oluswali Behsud, the centre of Wardak's Bihsud,
    not Nangarhar's Bihsud district); it is tried without the kinds the dropped words
    implied, and after an exact match of the shorter key ("Uluswali Bihsud" is Nangarhar's
    Bihsud district)."""
    found = layer._exact_tier(query, key, hints)
    if found:
        return found, hints
    if literal is not None:
        found = layer._translit_tier(query, literal, given)
        if found:
            return found, given
    found = layer._translit_tier(query, key, hints)
    return (found, hints) if found else None


def _literal_key(name: str, key: str) -> str | None:
    """The first comma part of ``name`` folded with its generic words kept, when
    normalisation dropped some ("uluswali behsud" for key "behsud"); None otherwise.

    Names in the gazetteer are indexed by their normalised keys, so this literal reading
    can only meet a place whose own name keeps such a word because it is spelt in a way
    the generic vocabulary lacks (GeoNames' "Wuleswali Bihsud", "Oluswali Behsud")."""
    literal = " ".join(_WORD.findall(_fold(name.split(",")[0])))
    return literal if literal != key else None


def _container_reading(name: str, hints: _Hints):
    """"X area of Y" (village, town, bazaar, post ... of/in Y): Y as the answer when X is
    unknown and Y is a province, district or tehsil, as for a report naming only Y
    ("Alingar area of Safi tehsil"); None for other names (a town's 2 km would not
    hold its villages)."""
    m = _OF_PATTERN.match(_fold(name.split(",")[0]))
    head = _split(m.group("head"))[0].split() if m else []
    if not head or head[-1] not in _AREA_WORDS:
        return None
    tail_key, tail_implied = _split(m.group("tail"))
    if not tail_key:
        return None
    return tail_key, hints.with_kinds(tail_implied or _CONTAINERS)


_AT_CROSSING = re.compile(
    r"^(?:.*\s)?(?:crossing|crossing point|gate|border)\s+(?:at|in)\s+(?P<tail>[^,]+)$")

_LONG_GENERIC = tuple(w for w in _GENERIC_WORDS if len(w) >= 6 and w.isascii())


def _misspelt_generic(key: str) -> tuple[str, str] | None:
    """A first or last word one or two slips from a generic word ("distrcit",
    "wilayaat"): the rest and the kind the word implies; None otherwise."""
    tokens = key.split()
    if len(tokens) < 2:
        return None
    from rapidfuzz.distance import OSA

    for pos in (-1, 0):
        word = tokens[pos]
        if len(word) < 5 or word in _GENERIC_WORDS:
            continue
        for generic in _LONG_GENERIC:
            if OSA.normalized_similarity(word, generic) >= 0.75:
                rest = tokens[:-1] if pos == -1 else tokens[1:]
                if pos == 0 and len(rest) > 1 and rest[0] in _IZAFE:
                    rest = rest[1:]
                if (pos == -1 and len(rest) > 1 and rest[-1] == "tribal"
                        and generic in _TRIBAL_UNITS):  # "Khyber Tribal Distrcit"
                    rest = rest[:-1]
                return " ".join(rest), _GENERIC_WORDS[generic]
    return None


_VOWELS_H = re.compile(r"[aeiouh]")


@functools.lru_cache(maxsize=1 << 16)
def skeleton(key: str) -> str:
    """The consonant skeleton of a normalised key: its transliteration key without
    vowels and h, doubled letters merged ("Sporra", "Sperah" -> "spr")."""
    t = transliteration_key(key)
    if not t.isascii():
        return t
    return _DOUBLES.sub(r"\1", _VOWELS_H.sub("", t))


#: A fuzzy answer farther than this from the Durand Line is not confident: in border
#: reporting, a near miss on a distant town is likelier a village the gazetteer lacks.
FUZZY_BORDER_KM = 100.0
#: Transliteration keys shorter than this need :data:`SHORT_KEY_SCORE` to match fuzzily
#: (one slip in five letters is another name as often as a variant: Shawal/Shal).
SHORT_KEY = 7
SHORT_KEY_SCORE = 85.0


def confident_fuzzy(key: str, place: Place, score: float) -> bool:
    """Whether a fuzzy match of normalised ``key`` to ``place`` is a spelling variant
    rather than another name one letter away.

    A variant keeps the consonants: the query and one of the place's names have the
    same :func:`skeleton` (vowels, h, doubled letters and the romanisation pairs of
    :func:`transliteration_key` may differ: "Gorbz" = Gurbuz, "Spurra" = Sperah), and
    their transliteration keys are at least :data:`FUZZY_THRESHOLD` similar. A changed,
    dropped or added consonant ("Ghanikhel" -> Jani Khel, "Shigal" -> Shigar, "Bagan"
    -> Baghlan, "Maidan" -> Mardan) is not confident; nor is a key shorter than
    :data:`SHORT_KEY` letters below :data:`SHORT_KEY_SCORE`, unless only letters in place
    changed ("Kurrum", "Bajuar"; not "Shawal" -> Shal). (The resolver also refuses
    fuzzy answers farther than :data:`FUZZY_BORDER_KM` from the line.) See
    benchmarks/bench_gazetteer.py for what this costs on keyboard typos.
    """
    sk = skeleton(key)
    tk = transliteration_key(key)
    need = SHORT_KEY_SCORE if len(tk) < SHORT_KEY else FUZZY_THRESHOLD
    for other_sk, to in _name_forms(place):
        if other_sk != sk:
            continue
        score = similarity(tk, to)
        # a short key may still change a vowel in place ("Kurrum", "Bajuar")
        if score >= need or (len(to) == len(tk) and score >= FUZZY_THRESHOLD):
            return True
    return False


_FORMS: dict[tuple, tuple[tuple[str, str], ...]] = {}


def _name_forms(place: Place) -> tuple[tuple[str, str], ...]:
    """(skeleton, transliteration key) of each name of a place, cached."""
    slot = (place.id, place.name, place.aliases)
    forms = _FORMS.get(slot)
    if forms is None:
        keys = {normalize_name(t) for t in (place.name, *place.aliases)} - {""}
        forms = _FORMS[slot] = tuple(sorted({(skeleton(k), transliteration_key(k)) for k in keys}))
    return forms


def _strip_kind_words(key: str, hints: _Hints) -> tuple[str, _Hints]:
    """Trailing kind words ("border crossing", "pass", "valley") as kind hints."""
    tokens = key.split()
    kinds: set[str] = set()
    while len(tokens) > 1 and tokens[-1] in _KIND_WORDS:
        kinds.add(_KIND_WORDS[tokens.pop()])
    if not kinds:
        return key, hints
    return " ".join(tokens), hints.with_kinds(kinds)


def _describe(place: Place) -> str:
    where = ", ".join(x for x in (place.admin1, place.country) if x)
    return f"{place.name} ({place.kind}, {where})"


def _deletions(key: str) -> set[str]:
    """The key and every string made by deleting one of its characters."""
    return {key} | {key[:i] + key[i + 1:] for i in range(len(key))}


def _rank(m: Match):
    return (-m.score, 0 if m.match == "exact" else 1, _KIND_RANK[m.place.kind], m.place.id)


#: Which of several nested namesakes a bare name resolves to: the populated place
#: first, then the crossing, then the finest admin unit; features last.
PREFERENCE = ("town", "crossing", "tehsil", "district", "province", "country", "feature")
_PREF_RANK = {k: i for i, k in enumerate(PREFERENCE)}
#: Namesakes whose points lie within this many km of the chosen one (or within the
#: radius of the broadest of them) count as one place named at different levels.
NEST_KM = 25.0


def _nested_choice(matches: list[Match]) -> tuple[Match, tuple[Match, ...]] | None:
    """The match a tie of nested namesakes resolves to, and the others; None if the
    tied places are not one place named at several levels.

    Nested: one country (crossings, which sit on the line, count for both), and
    every other point within the largest radius among the admin units or
    :data:`NEST_KM` of the chosen one, or inside the polygon of the unit it is
    farther from. The choice follows :data:`PREFERENCE`
    (town > crossing > tehsil > district > province > feature); two of the chosen
    kind more than 5 km apart are not nested.
    """
    places = [m.place for m in matches]
    countries = {p.country for p in places if p.kind != "crossing"}
    if len(countries) > 1:
        return None
    best = min(matches, key=lambda m: (_PREF_RANK[m.place.kind], m.place.precision_km,
                                       m.place.id))
    b = best.place
    reach = max([NEST_KM] + [p.precision_km for p in places if p.kind in _ADMIN_KINDS])
    for p in places:
        if p is b:
            continue
        d = haversine_km(b.lon, b.lat, p.lon, p.lat)
        if p.kind == b.kind and d > 5.0:
            return None
        if d > reach and not _inside_polygon(b, p):
            return None
    return best, tuple(m for m in sorted(matches, key=_rank) if m is not best)


def _inside_polygon(inner: Place, outer: Place) -> bool:
    """Whether ``inner``'s point lies in ``outer``'s polygon (a Pakistani district or
    tehsil, an Afghan province): Chagai tehsil in Chagai district, whose point (the mean of
    its GeoNames places) is 170 km away in a 44,000 km² district."""
    if outer.kind not in ("province", "district", "tehsil") or outer.kind == inner.kind:
        return False
    from ..errors import GeodataError

    try:
        polygon = _province_polygons().get(outer.id)
    except GeodataError:  # no polygons in a geodata folder of the user's own
        return False
    if polygon is None:
        return False
    from shapely import contains_xy

    return bool(contains_xy(polygon, inner.lon, inner.lat))


def _nested_broadest(matches: list[Match]) -> Match | None:
    """Backwards-compatible name: the match nested namesakes resolve to, or None."""
    chosen = _nested_choice(matches)
    return chosen[0] if chosen is not None else None


def _nested_namesakes(places: Iterable[Place]) -> dict[str, tuple[Place, ...]]:
    """For each place, the places of the same name (same transliteration key) and country,
    of another admin kind, whose points lie within the larger of the two radii or one inside
    the other's polygon: the town, district and province of one name treated as one answer
    whatever spelling was used."""
    groups: dict[tuple[str, str], list[Place]] = {}
    for p in places:
        if p.kind in _ADMIN_KINDS and p.kind != "country":
            key = transliteration_key(normalize_name(p.name))
            groups.setdefault((p.country, key), []).append(p)
    out: dict[str, list[Place]] = {}
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if a.kind != b.kind and (haversine_km(a.lon, a.lat, b.lon, b.lat) <= max(
                        a.precision_km, b.precision_km) or _inside_polygon(a, b)
                        or _inside_polygon(b, a)):
                    out.setdefault(a.id, []).append(b)
                    out.setdefault(b.id, []).append(a)
    return {k: tuple(v) for k, v in out.items()}


def _border_most(ranked: list[Match]) -> Match:
    """The candidate nearest the Durand Line (ties: the ranked order)."""
    from ..border import DurandLine

    distance = DurandLine.default().distance_km([m.place.lon for m in ranked],
                                                [m.place.lat for m in ranked])
    best = min(range(len(ranked)), key=lambda i: (float(distance[i]), i))
    return ranked[best]


# names of later modules, used only when called (the package imports them in order)
from .default import _default_gazetteer, _file_signature, _province_polygons  # noqa: E402
from .sources import read_places_csv  # noqa: E402
from .user_index import UserIndex  # noqa: E402
