#pragma once
/// \file
/// An episode drawn as a labelled image grid: one row per episode label with its class name,
/// its K support images, then its Q query images.

#include "core/data/episode.h"

#include <opencv2/core.hpp>

#include <filesystem>
#include <string>

namespace maml {

struct EpisodeGridOptions {
    std::string title;    ///< first line, e.g. "glyphs test: 5-way 1-shot 5-query, seed 7"
    int minCellSize = 56; ///< small images are enlarged by an integer factor to at least this
};

/// Renders `episode` (images [n,C,H,W] in [0,1]) as an 8-bit BGR image. Class names are
/// written in ASCII (other characters as U+XXXX). Deterministic: same episode, same pixels.
cv::Mat renderEpisodeGrid(const Episode& episode, const EpisodeGridOptions& options = {});

/// Renders and writes the grid as PNG, atomically (temporary file + rename).
void writeEpisodeGrid(const std::filesystem::path& file, const Episode& episode,
                      const EpisodeGridOptions& options = {});

/// `text` with every non-ASCII UTF-8 character replaced by "U+XXXX" (for OpenCV's fonts).
std::string asciiLabel(const std::string& text);

} // namespace maml
