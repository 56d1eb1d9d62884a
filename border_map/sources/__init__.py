"""Opt-in online sources kept in a local store: ``border-map fetch acled|ucdp|gdelt``.

Nothing here runs unless asked: the fetchers talk to the network only from
``border-map fetch`` (or a direct call). Each fetch becomes a *version* of the
provider's store under ``$BORDER_MAP_HOME/sources/<provider>/`` (:mod:`.store`),
written atomically and never replaced by a partial download. The files of the
current version are in the layout the readers of :mod:`border_map.readers` read
(ACLED CSV, UCDP GED CSV, GDELT 2.0 export), so ``border-map build --source acled``
builds from them.

- :mod:`.http`: a small urllib client with retries, backoff, rate limiting and
  resumable (``Range``) downloads, whose errors never show credentials;
- :mod:`.store`: versions, what each added/changed/deleted, ``current_files``;
- :mod:`.acled`, :mod:`.ucdp`, :mod:`.gdelt`: the providers.

Errors are :class:`FetchError` subclasses with a one-line message.
"""

from __future__ import annotations

from ..errors import BorderMapError

__all__ = [
    "ATTRIBUTION",
    "PROVIDERS",
    "AuthError",
    "CredentialsMissing",
    "DownloadError",
    "FetchError",
    "NetworkError",
    "QuotaError",
    "SchemaError",
]

#: Provider names, as ``border-map fetch NAME`` and ``build --source NAME``.
PROVIDERS = ("acled", "ucdp", "gdelt")

#: What each provider asks users to cite; copied into every version's manifest and the
#: build summary (see the README's section on online sources).
ATTRIBUTION = {
    "acled": {
        "attribution": "Armed Conflict Location & Event Data (ACLED); www.acleddata.com "
                       "(cite with the date of access and the filters used)",
        "terms": "https://acleddata.com/terms-of-use/",
        "licence": "ACLED Terms of Use and Attribution Policy: acknowledge ACLED clearly and "
                   "prominently (footnote with link, in-text, on every visual); do not give "
                   "others direct access to the raw data; commercial use needs a licence",
    },
    "ucdp": {
        "attribution": "Uppsala Conflict Data Program (UCDP), Georeferenced Event Dataset "
                       "(GED), Department of Peace and Conflict Research, Uppsala University; "
                       "ucdp.uu.se. Sundberg & Melander (2013), Journal of Peace Research 50(4)",
        "terms": "https://ucdp.uu.se/downloads/",
        "licence": "free of charge with citation of the dataset (see the UCDP download page "
                   "for the licence of each release)",
    },
    "gdelt": {
        "attribution": "The GDELT Project (gdeltproject.org), GDELT 2.0 Event Database",
        "terms": "https://www.gdeltproject.org/about.html#termsofuse",
        "licence": "unlimited and unrestricted use with a citation of the GDELT Project and a "
                   "link to gdeltproject.org",
    },
}


class FetchError(BorderMapError, RuntimeError):
    """A fetch failed; the message is one line and never holds a credential."""


class CredentialsMissing(FetchError):
    """The provider needs credentials that are not in the environment."""


class NetworkError(FetchError):
    """The server could not be reached (no network, DNS, refused, timed out)."""


class AuthError(FetchError):
    """The server refused the credentials (HTTP 401/403)."""


class QuotaError(FetchError):
    """Rate limit or quota reached (HTTP 429) and retrying did not help."""


class SchemaError(FetchError):
    """The API answered in a shape border-map does not know (the API changed?)."""


class DownloadError(FetchError):
    """A download was cut off or arrived damaged (size or checksum differ)."""
