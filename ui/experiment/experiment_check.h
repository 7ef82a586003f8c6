#pragma once
// What is wrong with an experiment, in words a user can act on.

#include <QStringList>

namespace maml {
class ImageDataset;
class TextCorpus;
struct ExperimentConfig;
} // namespace maml

namespace maml::ui {

/// The config's own problems (ExperimentConfig::validate) plus, when `dataset` is given, whether
/// each of the train/val/test class pools can give N-way K-shot Q-query episodes - using the
/// same sampler training uses, so the message is the sampler's own ("class 'rose' has 20
/// images; K + Q = 25"). Empty when the experiment can run.
QStringList experimentProblems(const ExperimentConfig& config, const ImageDataset* dataset);

/// The same for a text experiment: the config's problems, the Transformer's settings, and, when
/// `corpus` is given, whether each split expression names known domains that can give
/// N-way K-shot Q-query tasks (the text sampler's own message, with the counts per domain).
QStringList experimentProblems(const ExperimentConfig& config, const TextCorpus* corpus);

} // namespace maml::ui
