#pragma once
// Shared by the engine tests: a small synthetic image dataset (class = a fixed random
// pattern, sample = pattern + noise) registered as the task source "synthetic", and tiny configs.

#include "core/data/dataset.h"
#include "core/engine/config.h"

#include <filesystem>
#include <string>

namespace maml::test {

/// Registers the "synthetic" dataset spec (once): "synthetic" = 24 classes x 12 images of
/// 16x16x1; splits train (12 classes), val (6), test (6), all.
void registerSyntheticTaskSource();

/// The synthetic dataset itself (for tests that need it directly).
std::shared_ptr<ImageDataset> syntheticDataset();

/// A tiny, fast config on the synthetic data: 3-way 1-shot 3-query, Conv-4 with 4 filters on
/// 16x16, 1 thread.
ExperimentConfig tinyConfig();

/// A fresh empty temporary folder, removed by the caller (or left in /tmp).
std::filesystem::path tempDir(const std::string& name);

/// Writes the synthetic classes `first..first+count-1` as PNG folders <dir>/<class>/<i>.png.
void writeSyntheticPngs(const std::filesystem::path& dir, int first, int count, int perClass);

} // namespace maml::test
