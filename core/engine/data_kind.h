#pragma once
/// \file
/// What a model reads - images or sentences - decided in one place: the task-source factory
/// that accepts an experiment's dataset spec says which kind of data it gives (task_source.h).
/// Adapters, the CLI and the GUI ask dataKindOf() instead of guessing from names or shapes.
/// No torch in this header.

#include <string>

namespace maml {

enum class DataKind { Images, Text };

/// The kind of data of dataset spec `spec`, as the factory that accepts it says ("glyphs":
/// Images, "sentiment-uci": Text). The built-in image factory accepts every other spec.
DataKind dataKindOf(const std::string& spec);

/// "images" or "text", for messages and registry keys.
std::string dataKindName(DataKind kind);

} // namespace maml
