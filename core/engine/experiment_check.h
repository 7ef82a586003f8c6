#pragma once
/// \file
/// Whether an experiment can run, in words a user can act on: what the experiment dialog shows
/// as you type and what `maml-cli train` checks before it starts. No torch in this header.

#include "core/engine/config.h"

#include <functional>
#include <string>
#include <vector>

namespace maml {

/// The problems that need no data: the config's own (ExperimentConfig::validate) and those of
/// the settings a module reads (e.g. the Transformer's, registered by the text module).
/// Empty when the settings are usable.
std::vector<std::string> checkSettings(const ExperimentConfig& config);

/// checkSettings(); when the settings are usable, also whether the training and validation splits
/// (the two a training run samples) can give N-way K-shot Q-query tasks - asked of the same data
/// source training uses, so the message is the sampler's own, e.g.
/// "training split 'train': class 'rose' has 20 images; K + Q = 25". Data that cannot be
/// opened at all is one problem (its error). Empty when the experiment can run.
/// The test split is not a reason to refuse a run: see testSplitNote().
/// Opens the data through the shared caches (maml::DatasetCache, the text corpora): the first
/// call for a dataset may take seconds, later ones are quick.
std::vector<std::string> checkExperiment(const ExperimentConfig& config);

/// Why the test split cannot give tasks, as a note to show beside a run that can still train
/// (training and validation never sample it), e.g. on the CIFAR-100 development copy, whose 20
/// CIFAR-FS test classes hold no images: "test split 'test': class 'baby' has 0 images ...;
/// training and validation do not use it: evaluate on the 'val' split" (no command: the CLI and
/// the GUI each say how in their own words). Empty when the test split
/// is usable or the data cannot be opened. Ask it once checkExperiment() found no problem.
std::string testSplitNote(const ExperimentConfig& config);

/// A module's check of the settings it reads: its problems, in words (empty when fine).
using SettingsCheck = std::function<std::vector<std::string>(const ExperimentConfig&)>;
/// Registers a check run by checkSettings under `name` (modules call this from their
/// registration function, see registerBuiltinModules() in core/modules.h).
void registerSettingsCheck(const std::string& name, SettingsCheck check);

} // namespace maml
