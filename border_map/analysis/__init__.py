"""Analysis of the normalised table, chunk by chunk: screen, locate, analyse against the line.

* :mod:`.analyse`: distance, side, band, band certainty, sector and chainage of points
  (:func:`analyse`), and the one region check (:func:`check_region`, :data:`REGION_BOUNDS`);
* :mod:`.process`: one chunk of the normalised table to the analysed table every writer
  streams (:func:`~border_map.analysis.process.process_table`).
"""

from .analyse import ANALYSIS_COLUMNS, REGION_BOUNDS, analyse, band_certainty, check_region

__all__ = ["ANALYSIS_COLUMNS", "REGION_BOUNDS", "analyse", "band_certainty", "check_region"]
