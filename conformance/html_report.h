// A run's report as one self-contained HTML page (no scripts, styles or images from anywhere):
// per suite and backend, the matrix as a coloured table whose failing cells open their first
// mismatches, and histograms of the mismatch distances in ULPs and in quantization steps as inline
// SVG. Every cell carries its counts as data-* attributes, so that a program can read the page's
// numbers back (the CTest qdq.reports_and_shards compares them with the JSON report's).
#pragma once

#include <string>

#include "conformance/run_report.h"

namespace qdq::conformance {

std::string html_report(const RunReport& r);

}  // namespace qdq::conformance
