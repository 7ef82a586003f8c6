// The widgets of ExperimentDialog (the logic is in experiment_dialog.cpp).
#include "ui/experiment/experiment_dialog.h"

#include "core/engine/presets.h"
#include "ui/experiment/class_picker.h"
#include "ui/experiment/dataset_chooser.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace maml::ui {

QSpinBox* ExperimentDialog::intSpin(int min, int max)
{
    auto* spin = new QSpinBox;
    spin->setRange(min, max);
    spin->setKeyboardTracking(false);
    return spin;
}

QDoubleSpinBox* ExperimentDialog::realSpin(double min, double max, int decimals)
{
    auto* spin = new QDoubleSpinBox;
    spin->setRange(min, max);
    spin->setDecimals(decimals);
    spin->setSingleStep(std::pow(10.0, -decimals + 1));
    spin->setKeyboardTracking(false);
    return spin;
}

QWidget* ExperimentDialog::buildDataBox()
{
    auto* box = new QGroupBox(tr("Data"));
    m_preset = new QComboBox;
    m_preset->setObjectName(QStringLiteral("preset"));
    m_preset->addItem(tr("(choose a preset to fill in every field)"));
    for (const auto& p : presets()) {
        if (!DatasetChooser::offers(QString::fromStdString(p.config.dataset)))
            continue;
        m_preset->addItem(QString::fromStdString(p.name), QString::fromStdString(p.name));
        m_preset->setItemData(m_preset->count() - 1, QString::fromStdString(p.description), Qt::ToolTipRole);
    }
    m_chooser = new DatasetChooser;
    m_imageSize = intSpin(8, 512);
    m_imageSize->setSuffix(tr(" px"));
    m_channels = new QComboBox;
    m_channels->addItem(tr("1 (grayscale)"), 1);
    m_channels->addItem(tr("3 (RGB)"), 3);
    m_rotations = new QCheckBox(tr("Rotated copies as extra classes (Omniglot)"));
    m_trainSplit = new QComboBox;
    m_valSplit = new QComboBox;
    m_testSplit = new QComboBox;
    // Side by side for image split names; one under the other for text expressions (longer).
    auto* splits = m_splitsLayout = new QBoxLayout(QBoxLayout::LeftToRight);
    for (auto* c : {m_trainSplit, m_valSplit, m_testSplit}) {
        c->setInsertPolicy(QComboBox::NoInsert);
        c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        c->setMinimumContentsLength(10);
        splits->addWidget(c, 1);
    }
    m_trainSplit->setObjectName(QStringLiteral("trainSplit"));
    m_valSplit->setObjectName(QStringLiteral("valSplit"));
    m_testSplit->setObjectName(QStringLiteral("testSplit"));
    auto* form = new QFormLayout(box);
    m_dataForm = form;
    form->addRow(tr("Preset"), m_preset);
    form->addRow(tr("Dataset"), m_chooser);
    form->addRow(tr("Image size"), m_imageSize);
    form->addRow(tr("Channels"), m_channels);
    form->addRow(QString(), m_rotations);
    m_splitsLabel = new QLabel(tr("Splits: train / val / test"));
    form->addRow(m_splitsLabel, splits);
    return box;
}

QWidget* ExperimentDialog::buildClassBox()
{
    auto* box = new QGroupBox(tr("Classes"));
    m_classBox = box;
    m_corpusInfo = new QLabel;
    m_corpusInfo->setObjectName(QStringLiteral("corpusInfo"));
    m_corpusInfo->setWordWrap(true);
    m_corpusInfo->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_corpusInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_corpusInfo->setVisible(false);
    m_pickerRole = new QComboBox;
    m_pickerRole->addItem(tr("Classes for meta-training"), QStringLiteral("train"));
    m_pickerRole->addItem(tr("Classes for validation"), QStringLiteral("val"));
    m_pickerRole->addItem(tr("Classes for testing"), QStringLiteral("test"));
    m_picker = new ClassPicker;
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(m_pickerRole);
    layout->addWidget(m_picker, 1);
    layout->addWidget(m_corpusInfo, 1);
    return box;
}

QWidget* ExperimentDialog::buildSettingsBox()
{
    auto* box = new QGroupBox(tr("Episodes and meta-learning"));
    m_ways = intSpin(1, 1000);
    m_ways->setObjectName(QStringLiteral("ways"));
    m_shots = intSpin(0, 1000);
    m_shots->setObjectName(QStringLiteral("shots"));
    m_queries = intSpin(0, 1000);
    m_queries->setObjectName(QStringLiteral("queries"));
    m_stepsTrain = intSpin(0, 100);
    m_stepsEval = intSpin(0, 1000);
    m_innerLr = realSpin(0, 100, 4);
    m_metaLr = realSpin(0, 10, 5);
    m_metaBatch = intSpin(0, 10000);
    m_iterations = intSpin(0, 10000000);
    m_iterations->setObjectName(QStringLiteral("iterations"));
    m_order = new QComboBox;
    m_order->addItem(tr("Second order (MAML)"), false);
    m_order->addItem(tr("First order (FOMAML, faster)"), true);
    m_seed = intSpin(0, 2147483647);
    m_threads = intSpin(0, 256);
    m_threads->setSpecialValueText(tr("all cores"));
    m_processes = intSpin(1, 64);
    m_processes->setObjectName(QStringLiteral("processes"));
    m_processes->setToolTip(tr("Training processes on this machine (maml-cli train --nproc): each computes a "
                               "share of every meta-batch, with the same result as one process. Threads are "
                               "then per process; \"all cores\" divides the cores among them."));
    m_filters = intSpin(1, 1024);
    m_valEvery = intSpin(0, 1000000);
    auto* form = new QFormLayout(box);
    m_settingsForm = form;
    form->addRow(tr("N-way (classes per episode)"), m_ways);
    form->addRow(tr("K-shot (support images per class)"), m_shots);
    form->addRow(tr("Q-query (query images per class)"), m_queries);
    form->addRow(tr("Inner steps (training)"), m_stepsTrain);
    form->addRow(tr("Inner steps (evaluation)"), m_stepsEval);
    form->addRow(tr("Inner learning rate"), m_innerLr);
    form->addRow(tr("Meta learning rate (Adam)"), m_metaLr);
    form->addRow(tr("Meta-batch (tasks per update)"), m_metaBatch);
    form->addRow(tr("Iterations"), m_iterations);
    form->addRow(tr("Gradient"), m_order);
    form->addRow(tr("MAML++"), buildMamlppRow());
    form->addRow(tr("Seed"), m_seed);
    auto* threadsRow = new QHBoxLayout;
    threadsRow->addWidget(m_threads, 1);
    threadsRow->addWidget(new QLabel(tr("Processes")));
    threadsRow->addWidget(m_processes, 1);
    form->addRow(tr("Threads"), threadsRow);
    form->addRow(tr("Conv-4 filters"), m_filters);
    form->addRow(tr("Validate every"), m_valEvery);
    return box;
}

QWidget* ExperimentDialog::buildMamlppRow()
{
    auto* row = new QWidget;
    row->setObjectName(QStringLiteral("mamlpp"));
    auto* grid = new QGridLayout(row);
    grid->setContentsMargins(0, 0, 0, 0);
    auto check = [row](const QString& name, const QString& text, const QString& tip) {
        auto* box = new QCheckBox(text, row);
        box->setObjectName(name);
        box->setToolTip(tip);
        return box;
    };
    m_lslr = check(QStringLiteral("lslr"), tr("Per-step learning rates"),
                   tr("LSLR: a learned inner learning rate per weight tensor and inner step, starting at the "
                      "inner learning rate. Shown on the Train page after validation."));
    m_multiStepLoss = check(QStringLiteral("multiStepLoss"), tr("Multi-step loss"),
                            tr("The query loss after every inner step counts, weighted; the weights move "
                               "towards the last step as training goes on."));
    m_perStepBn = check(QStringLiteral("perStepBn"), tr("Per-step BatchNorm"),
                        tr("Conv-4: BatchNorm weights and running statistics per inner step. Queries are "
                           "normalised with running statistics, so no test query affects another."));
    m_cosineMetaLr =
        check(QStringLiteral("cosineMetaLr"), tr("Cosine meta learning rate"),
              tr("Anneal Adam's learning rate from the meta learning rate to 1e-5 over the run."));
    m_checkpointSteps =
        check(QStringLiteral("checkpointSteps"), tr("Recompute inner steps"),
              tr("Second order: keep only each inner step's weights and recompute the step in "
                 "the backward pass. Memory no longer grows with the inner steps; costs time."));
    m_firstOrderIterations = intSpin(0, 10000000);
    m_firstOrderIterations->setObjectName(QStringLiteral("firstOrderIterations"));
    m_firstOrderIterations->setSpecialValueText(tr("off"));
    m_firstOrderIterations->setToolTip(tr("Derivative-order annealing: this many first iterations are first "
                                          "order, the rest second order (off: as chosen under Gradient)."));
    auto* annealing = new QHBoxLayout;
    annealing->addWidget(new QLabel(tr("First order for")));
    annealing->addWidget(m_firstOrderIterations, 1);
    annealing->addWidget(new QLabel(tr("iterations")));
    grid->addWidget(m_lslr, 0, 0);
    grid->addWidget(m_multiStepLoss, 0, 1);
    grid->addWidget(m_perStepBn, 1, 0);
    grid->addWidget(m_cosineMetaLr, 1, 1);
    grid->addLayout(annealing, 2, 0);
    grid->addWidget(m_checkpointSteps, 2, 1);
    return row;
}

QWidget* ExperimentDialog::buildModelBox()
{
    m_modelBox = new QGroupBox(tr("Transformer encoder (text)"));
    m_modelBox->setObjectName(QStringLiteral("transformerBox"));
    m_dModel = intSpin(2, 4096);
    m_dModel->setObjectName(QStringLiteral("dModel"));
    m_dModel->setSingleStep(16);
    m_heads = intSpin(1, 64);
    m_heads->setObjectName(QStringLiteral("heads"));
    m_layers = intSpin(1, 24);
    m_ff = intSpin(1, 65536);
    m_ff->setSingleStep(64);
    m_head = new QComboBox;
    m_head->setObjectName(QStringLiteral("head"));
    m_head->addItem(tr("mean over the tokens"), QStringLiteral("mean"));
    m_head->addItem(tr("flatten (the study's: Linear(length x d_model, N))"), QStringLiteral("flatten"));
    m_length = intSpin(4, 1024);
    m_length->setSuffix(tr(" tokens"));
    m_minCount = intSpin(1, 1000);
    m_minCount->setToolTip(
        tr("A word enters the vocabulary when the meta-training sentences hold it this often"));
    m_lexicon = new QComboBox;
    m_lexicon->setObjectName(QStringLiteral("lexicon"));
    m_lexicon->addItem(tr("none: learned from the text alone"), QStringLiteral("none"));
    m_lexicon->addItem(tr("AFINN-165 word scores"), QStringLiteral("afinn"));
    m_lexicon->addItem(tr("word scores learned from the training text"), QStringLiteral("corpus"));
    m_lexicon->addItem(tr("AFINN-165 + learned word scores"), QStringLiteral("afinn+corpus"));
    m_lexicon->setToolTip(tr("\"afinn\" adds the AFINN-165 words to the vocabulary and starts their "
                             "embeddings from the words' sentiment scores; \"learned\" scores every word "
                             "of the meta-training text by how much more often positive than negative "
                             "sentences hold it (more text, e.g. imdb50k in the training split, knows "
                             "more words); docs/text.md"));
    m_lexiconDims = intSpin(1, 4096);
    m_lexiconDims->setObjectName(QStringLiteral("lexiconDims"));
    m_lexiconDims->setToolTip(tr("Embedding coordinates that start at a lexicon word's score (at most "
                                 "d_model)"));
    auto* form = new QFormLayout(m_modelBox);
    form->addRow(tr("d_model"), m_dModel);
    form->addRow(tr("Attention heads"), m_heads);
    form->addRow(tr("Encoder layers"), m_layers);
    form->addRow(tr("Feed-forward width"), m_ff);
    form->addRow(tr("Head"), m_head);
    form->addRow(tr("Sequence length"), m_length);
    form->addRow(tr("Vocabulary: min. count"), m_minCount);
    form->addRow(tr("Sentiment lexicon"), m_lexicon);
    form->addRow(tr("Lexicon coordinates"), m_lexiconDims);
    return m_modelBox;
}

} // namespace maml::ui
