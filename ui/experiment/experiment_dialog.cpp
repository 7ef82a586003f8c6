#include "ui/experiment/experiment_dialog.h"

#include "core/data/dataset.h"
#include "core/engine/experiment_check.h"
#include "core/engine/image_task_source.h"
#include "core/engine/presets.h"
#include "core/text/text_task_source.h"
#include "core/text/transformer_options.h"
#include "ui/common/error_html.h"
#include "ui/experiment/class_picker.h"
#include "ui/experiment/dataset_chooser.h"
#include "ui/workbench.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace maml::ui {
namespace {

QStringList toQt(const std::vector<std::string>& v)
{
    QStringList out;
    for (const auto& s : v)
        out << QString::fromStdString(s);
    return out;
}

std::vector<std::string> toStd(const QStringList& v)
{
    std::vector<std::string> out;
    for (const auto& s : v)
        out.push_back(s.toStdString());
    return out;
}

void setSplitChoice(QComboBox* combo, const std::string& split)
{
    const QString s = QString::fromStdString(split);
    if (combo->findText(s) < 0)
        combo->addItem(s);
    combo->setCurrentText(s);
}

} // namespace

ExperimentDialog::ExperimentDialog(const ExperimentConfig& config, QWidget* parent)
    : QDialog(parent), m_base(config)
{
    setWindowTitle(tr("Experiment"));
    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("validationMessage"));
    m_message->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    auto* load = m_buttons->addButton(tr("Load JSON..."), QDialogButtonBox::ActionRole);
    auto* save = m_buttons->addButton(tr("Save JSON..."), QDialogButtonBox::ActionRole);

    auto* left = new QVBoxLayout;
    left->addWidget(buildDataBox());
    left->addWidget(buildClassBox(), 1);
    auto* right = new QVBoxLayout;
    right->addWidget(buildSettingsBox());
    right->addWidget(buildModelBox());
    right->addStretch(1);
    auto* columns = new QHBoxLayout;
    columns->addLayout(left, 3);
    columns->addLayout(right, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(load, &QPushButton::clicked, this, [this] {
        const QString f =
            QFileDialog::getOpenFileName(this, tr("Open experiment"), m_file, tr("Experiment JSON (*.json)"));
        if (!f.isEmpty())
            loadFile(f);
    });
    connect(save, &QPushButton::clicked, this, [this] {
        const QString f =
            QFileDialog::getSaveFileName(this, tr("Save experiment"), m_file, tr("Experiment JSON (*.json)"));
        if (!f.isEmpty())
            saveFile(f);
    });
    setConfig(config);
    connectEdits();
    resize(1100, 760);
}

ExperimentDialog::~ExperimentDialog() = default;

bool ExperimentDialog::isLoading() const
{
    return m_loading || m_picker->isLoading();
}

void ExperimentDialog::connectEdits()
{
    for (auto* spin : findChildren<QSpinBox*>())
        connect(spin, &QSpinBox::valueChanged, this, &ExperimentDialog::validate);
    for (auto* spin : findChildren<QDoubleSpinBox*>())
        connect(spin, &QDoubleSpinBox::valueChanged, this, &ExperimentDialog::validate);
    connect(m_lexicon, &QComboBox::currentIndexChanged, this, [this] {
        m_lexiconDims->setEnabled(m_lexicon->currentData().toString() != QLatin1String("none"));
    });
    for (auto* box : {m_lslr, m_multiStepLoss, m_perStepBn, m_cosineMetaLr, m_checkpointSteps})
        connect(box, &QCheckBox::toggled, this, &ExperimentDialog::validate);
    for (auto* combo : {m_trainSplit, m_valSplit, m_testSplit, m_order, m_head, m_lexicon})
        connect(combo, &QComboBox::currentIndexChanged, this, [this] {
            refreshClassPicker();
            validate();
        });
    // Text splits are typed expressions (the combos are editable in text mode).
    for (auto* combo : {m_trainSplit, m_valSplit, m_testSplit})
        connect(combo, &QComboBox::editTextChanged, this, [this] {
            if (m_textMode)
                validate();
        });
    connect(m_picker, &ClassPicker::selectionChanged, this, [this] {
        storePickedClasses();
        validate();
    });
    connect(m_pickerRole, &QComboBox::currentIndexChanged, this, [this] {
        m_pickerSplitRole = m_pickerRole->currentData().toString();
        refreshClassPicker();
    });
    connect(m_chooser, &DatasetChooser::specChanged, this, [this] {
        if (m_settingUp)
            return;
        if (m_chooser->isText() != m_textMode)
            return switchMode(m_chooser->isText());
        if (m_textMode) {
            const ExperimentConfig d = textDefaults(m_chooser->spec());
            QSignalBlocker b1(m_trainSplit), b2(m_valSplit), b3(m_testSplit);
            setSplitChoice(m_trainSplit, d.trainSplit);
            setSplitChoice(m_valSplit, d.valSplit);
            setSplitChoice(m_testSplit, d.testSplit);
            return openDataset();
        }
        QSignalBlocker b1(m_imageSize), b2(m_channels);
        m_imageSize->setValue(m_chooser->defaultImageSize());
        m_channels->setCurrentIndex(m_channels->findData(m_chooser->defaultChannels()));
        m_base.trainClasses.clear();
        m_base.valClasses.clear();
        m_base.testClasses.clear();
        openDataset();
    });
    connect(m_imageSize, &QSpinBox::valueChanged, this, &ExperimentDialog::openDataset);
    connect(m_channels, &QComboBox::currentIndexChanged, this, &ExperimentDialog::openDataset);
    connect(m_rotations, &QCheckBox::toggled, this, &ExperimentDialog::openDataset);
    connect(m_preset, &QComboBox::activated, this,
            [this](int index) { applyPreset(m_preset->itemData(index).toString()); });
}

void ExperimentDialog::setConfig(const ExperimentConfig& c)
{
    m_settingUp = true;
    m_base = c;
    m_chooser->setSpec(QString::fromStdString(c.dataset));
    m_imageSize->setValue(c.imageSize);
    m_channels->setCurrentIndex(std::max(0, m_channels->findData(c.channels)));
    m_rotations->setChecked(c.rotations);
    setSplitChoice(m_trainSplit, c.trainSplit);
    setSplitChoice(m_valSplit, c.valSplit);
    setSplitChoice(m_testSplit, c.testSplit);
    m_ways->setValue(c.ways);
    m_shots->setValue(c.shots);
    m_queries->setValue(c.queries);
    m_stepsTrain->setValue(c.innerStepsTrain);
    m_stepsEval->setValue(c.innerStepsEval);
    m_innerLr->setValue(c.innerLr);
    m_metaLr->setValue(c.metaLr);
    m_metaBatch->setValue(c.metaBatch);
    m_iterations->setValue(static_cast<int>(c.iterations));
    m_order->setCurrentIndex(c.firstOrder ? 1 : 0);
    m_lslr->setChecked(c.lslr);
    m_multiStepLoss->setChecked(c.multiStepLoss);
    m_perStepBn->setChecked(c.batchNorm == "per-step");
    m_cosineMetaLr->setChecked(c.cosineMetaLr);
    m_firstOrderIterations->setValue(static_cast<int>(c.firstOrderIterations));
    m_checkpointSteps->setChecked(c.checkpointInnerSteps);
    m_seed->setValue(static_cast<int>(c.seed));
    m_threads->setValue(c.threads);
    m_processes->setValue(c.processes);
    m_filters->setValue(c.filters);
    m_valEvery->setValue(c.valEvery);
    const auto text = TransformerOptions::readConfig(c);
    m_dModel->setValue(text.dModel);
    m_heads->setValue(text.heads);
    m_layers->setValue(text.layers);
    m_ff->setValue(text.ff);
    m_head->setCurrentIndex(std::max(0, m_head->findData(QString::fromStdString(text.head))));
    m_length->setValue(text.length);
    m_minCount->setValue(text.minCount);
    const QString lexicon = QString::fromStdString(text.lexicon);
    if (m_lexicon->findData(lexicon) < 0) // kept as it is, so that the check names it
        m_lexicon->addItem(lexicon, lexicon);
    m_lexicon->setCurrentIndex(m_lexicon->findData(lexicon));
    m_lexiconDims->setValue(text.lexiconDims);
    m_lexiconDims->setEnabled(lexicon != QLatin1String("none"));
    showModeFields(m_chooser->isText());
    m_settingUp = false;
    openDataset();
}

ExperimentConfig ExperimentDialog::config() const
{
    ExperimentConfig c = m_base;
    c.dataset = m_chooser->spec().toStdString();
    c.imageSize = m_imageSize->value();
    c.channels = m_channels->currentData().toInt();
    c.rotations = m_rotations->isChecked();
    c.trainSplit = m_trainSplit->currentText().toStdString();
    c.valSplit = m_valSplit->currentText().toStdString();
    c.testSplit = m_testSplit->currentText().toStdString();
    c.ways = m_ways->value();
    c.shots = m_shots->value();
    c.queries = m_queries->value();
    c.innerStepsTrain = m_stepsTrain->value();
    c.innerStepsEval = m_stepsEval->value();
    c.innerLr = m_innerLr->value();
    c.metaLr = m_metaLr->value();
    c.metaBatch = m_metaBatch->value();
    c.iterations = m_iterations->value();
    c.firstOrder = m_order->currentData().toBool();
    c.lslr = m_lslr->isChecked();
    c.multiStepLoss = m_multiStepLoss->isChecked();
    if (m_perStepBn->isChecked())
        c.batchNorm = "per-step";
    else if (c.batchNorm == "per-step") // unticked: back to MAML's batch statistics
        c.batchNorm = "batch";
    c.cosineMetaLr = m_cosineMetaLr->isChecked();
    c.firstOrderIterations = m_firstOrderIterations->value();
    c.checkpointInnerSteps = m_checkpointSteps->isChecked();
    c.seed = static_cast<uint64_t>(m_seed->value());
    c.threads = m_threads->value();
    c.processes = m_processes->value();
    c.filters = m_filters->value();
    c.valEvery = m_valEvery->value();
    if (m_textMode) {
        TransformerOptions text;
        text.dModel = m_dModel->value();
        text.heads = m_heads->value();
        text.layers = m_layers->value();
        text.ff = m_ff->value();
        text.head = m_head->currentData().toString().toStdString();
        text.length = m_length->value();
        text.minCount = m_minCount->value();
        text.lexicon = m_lexicon->currentData().toString().toStdString();
        text.lexiconDims = m_lexiconDims->value();
        text.toConfig(c); // model "transformer"; the vocabulary is rebuilt when a run starts
        c.trainClasses.clear();
        c.valClasses.clear();
        c.testClasses.clear();
    } else if (c.model == "transformer") {
        c.model = "conv4";
        c.extra = nlohmann::json::object();
    }
    return c;
}

QString ExperimentDialog::dataKey(const ExperimentConfig& c) const
{
    return m_textMode ? QString::fromStdString(c.dataset)
                      : QStringLiteral("%1|%2|%3|%4")
                            .arg(QString::fromStdString(c.dataset))
                            .arg(c.imageSize)
                            .arg(c.channels)
                            .arg(c.rotations);
}

void ExperimentDialog::openDataset()
{
    if (m_settingUp)
        return;
    const ExperimentConfig c = config();
    const QString key = dataKey(c);
    if (key == m_openedKey && (m_dataset || m_corpus || m_loading))
        return validate();
    m_openedKey = key;
    m_dataset.reset();
    m_corpus.reset();
    m_openError.clear();
    m_loading = true;
    const int generation = ++m_openGeneration;
    validate();
    if (m_textMode) {
        m_corpusInfo->setText(tr("Opening %1...").arg(QString::fromStdString(c.dataset).toHtmlEscaped()));
        return m_worker.run<std::shared_ptr<const TextCorpus>>(
            this, [c] { return sharedTextCorpus(c.dataset); },
            [this, generation](std::shared_ptr<const TextCorpus> corpus) {
                if (generation == m_openGeneration)
                    onCorpusOpened(corpus);
            },
            [this, generation](const QString& message) {
                if (generation == m_openGeneration)
                    onOpenFailed(message);
            });
    }
    m_worker.run<std::shared_ptr<const ImageDataset>>(
        this, [c] { return openImageDataset(c); },
        [this, generation](std::shared_ptr<const ImageDataset> ds) {
            if (generation == m_openGeneration)
                onDatasetOpened(ds);
        },
        [this, generation](const QString& message) {
            if (generation == m_openGeneration)
                onOpenFailed(message);
        });
}

void ExperimentDialog::onOpenFailed(const QString& message)
{
    m_loading = false;
    m_openError = message;
    m_problems = {message};
    m_message->setText(errorHtml(message));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    if (m_textMode)
        m_corpusInfo->setText(errorHtml(message));
    Q_EMIT validated();
}

void ExperimentDialog::onDatasetOpened(std::shared_ptr<const ImageDataset> dataset)
{
    m_dataset = std::move(dataset);
    m_loading = false;
    refreshSplits();
    refreshClassPicker();
    validate();
}

void ExperimentDialog::refreshSplits()
{
    const ExperimentConfig c = config();
    QStringList names;
    for (const auto& [name, classes] : m_dataset->splits())
        names << QString::fromStdString(name);
    const std::pair<QComboBox*, std::string> combos[] = {
        {m_trainSplit, c.trainSplit}, {m_valSplit, c.valSplit}, {m_testSplit, c.testSplit}};
    for (const auto& [combo, current] : combos) {
        QSignalBlocker block(combo);
        combo->clear();
        combo->addItems(names);
        const QString want = QString::fromStdString(current);
        combo->setCurrentText(names.contains(want) ? want : QStringLiteral("all"));
    }
}

void ExperimentDialog::refreshClassPicker()
{
    if (!m_dataset || m_textMode)
        return;
    const ExperimentConfig c = config();
    const QString role = m_pickerSplitRole;
    const std::string split = role == QLatin1String("train") ? c.trainSplit
                              : role == QLatin1String("val") ? c.valSplit
                                                             : c.testSplit;
    try {
        QSignalBlocker block(m_picker);
        m_picker->setClasses(m_dataset, m_dataset->splitClasses(split));
        m_picker->setCheckedNames(toQt(c.explicitClasses(split)));
    } catch (const std::exception&) {
        // Unknown split: validate() reports it.
    }
}

void ExperimentDialog::storePickedClasses()
{
    const auto names = toStd(m_picker->checkedNames());
    if (m_pickerSplitRole == QLatin1String("train"))
        m_base.trainClasses = names;
    else if (m_pickerSplitRole == QLatin1String("val"))
        m_base.valClasses = names;
    else
        m_base.testClasses = names;
}

void ExperimentDialog::validate()
{
    if (m_settingUp)
        return;
    const ExperimentConfig c = config();
    // The data's checks run only on data opened for exactly these settings: core's check would
    // otherwise open it here, on the GUI thread (openDataset() opens it on the worker).
    const bool sameData = dataKey(c) == m_openedKey;
    const bool opened = sameData && !m_loading && (m_textMode ? bool(m_corpus) : bool(m_dataset));
    m_problems = toQt(opened ? checkExperiment(c) : checkSettings(c));
    if (sameData && !m_openError.isEmpty())
        m_problems << m_openError;
    if (m_loading)
        m_problems << tr("Opening the dataset...");
    showMatchingPreset(c);
    const bool ok = m_problems.isEmpty();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
    QString html;
    for (const auto& p : m_problems)
        html += QStringLiteral("&bull; %1<br>").arg(p.toHtmlEscaped());
    // Training does not sample the test split: a problem there is a note, not a refusal.
    const QString note = ok && opened ? QString::fromStdString(testSplitNote(c)) : QString();
    m_message->setText(
        ok ? tr("<span style='color:#1b5e20'>Ready: %1-way %2-shot, %3 queries per class.</span>")
                     .arg(m_ways->value())
                     .arg(m_shots->value())
                     .arg(m_queries->value()) +
                 (note.isEmpty() ? QString()
                                 : QStringLiteral("<br><span style='color:#8a5a00'>%1</span>")
                                       .arg(tr("Note: %1").arg(note).toHtmlEscaped()))
           : errorSpan(html));
    Q_EMIT validated();
}

void ExperimentDialog::applyPreset(const QString& name)
{
    if (name.isEmpty())
        return;
    try {
        setConfig(preset(name.toStdString()));
    } catch (const std::exception& e) {
        m_message->setText(QString::fromUtf8(e.what()));
    }
}

void ExperimentDialog::showMatchingPreset(const ExperimentConfig& config)
{
    const auto json = config.toJson();
    int index = 0;
    for (int i = 1; i < m_preset->count() && index == 0; ++i) {
        try {
            ExperimentConfig p = preset(m_preset->itemData(i).toString().toStdString());
            if (p.model == "transformer") // as config() writes the text settings
                TransformerOptions::readConfig(p).toConfig(p);
            if (p.toJson() == json)
                index = i;
        } catch (const std::exception&) {
            // Not registered any more: no match.
        }
    }
    m_preset->setCurrentIndex(index);
}

bool ExperimentDialog::loadFile(const QString& path)
{
    try {
        setConfig(Workbench::loadExperiment(path));
        m_file = path;
        return true;
    } catch (const std::exception& e) {
        m_message->setText(errorHtml(QString::fromUtf8(e.what())));
        return false;
    }
}

bool ExperimentDialog::saveFile(const QString& path)
{
    try {
        Workbench::saveExperiment(config(), path);
        m_file = path;
        return true;
    } catch (const std::exception& e) {
        m_message->setText(QString::fromUtf8(e.what()).toHtmlEscaped());
        return false;
    }
}

} // namespace maml::ui
