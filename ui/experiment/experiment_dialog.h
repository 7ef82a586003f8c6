#pragma once
// The experiment dialog: data, classes, episode shape, meta-learning settings, presets,
// inline validation (OK stays disabled until the experiment can run), JSON load/save.

#include "core/engine/config.h"
#include "ui/common/worker_thread.h"

#include <QDialog>

#include <memory>

class QBoxLayout;
class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QSpinBox;

namespace maml {
class ImageDataset;
class TextCorpus;
} // namespace maml

namespace maml::ui {

class ClassPicker;
class DatasetChooser;

class ExperimentDialog final : public QDialog {
    Q_OBJECT
public:
    explicit ExperimentDialog(const ExperimentConfig& config, QWidget* parent = nullptr);
    ~ExperimentDialog() override;

    ExperimentConfig config() const;
    void setConfig(const ExperimentConfig& config);
    /// The current problems (empty when OK is enabled).
    QStringList problems() const { return m_problems; }
    /// True while the dataset is being opened or its class thumbnails are being decoded.
    bool isLoading() const;
    /// The file the experiment was last loaded from / saved to.
    QString file() const { return m_file; }

    bool loadFile(const QString& path);
    bool saveFile(const QString& path);

Q_SIGNALS:
    /// Validation ran (tests wait on it).
    void validated();

private:
    QWidget* buildDataBox();
    QWidget* buildClassBox();
    QWidget* buildSettingsBox();
    QWidget* buildModelBox();
    /// The MAML++ row of the settings box: one check box per part, and derivative-order annealing.
    QWidget* buildMamlppRow();
    void connectEdits();
    /// What identifies the opened data: the spec, and for images the size, channels, rotations.
    QString dataKey(const ExperimentConfig& config) const;
    void openDataset();
    void onDatasetOpened(std::shared_ptr<const ImageDataset> dataset);
    void onCorpusOpened(std::shared_ptr<const TextCorpus> corpus);
    void onOpenFailed(const QString& message);
    /// The user switched between images and text: start from that mode's default preset.
    void switchMode(bool text);
    /// Shows the fields of the mode (image size, class picker / transformer, corpus summary).
    void showModeFields(bool text);
    void refreshSplits();
    void refreshTextSplits();
    /// The config a text dataset starts from: the sentiment-uci-2w5s preset (other datasets
    /// than sentiment-uci: every domain's @train / @val / @test parts).
    static ExperimentConfig textDefaults(const QString& spec);
    void refreshClassPicker();
    void storePickedClasses();
    void validate();
    void applyPreset(const QString& name);
    /// Shows in the preset box the preset `config` equals, or the "choose a preset" entry.
    void showMatchingPreset(const ExperimentConfig& config);
    QSpinBox* intSpin(int min, int max);
    QDoubleSpinBox* realSpin(double min, double max, int decimals);

    ExperimentConfig m_base; ///< keeps settings the dialog has no field for
    std::shared_ptr<const ImageDataset> m_dataset;
    std::shared_ptr<const TextCorpus> m_corpus;
    QString m_openedKey; ///< dataKey() of the data opened (or being opened)
    QString m_openError; ///< why that data could not be opened
    bool m_loading = false;
    bool m_settingUp = false;
    bool m_textMode = false;
    int m_openGeneration = 0;
    QStringList m_problems;
    QString m_file;
    QString m_pickerSplitRole = QStringLiteral("train");

    QComboBox* m_preset = nullptr;
    DatasetChooser* m_chooser = nullptr;
    QSpinBox* m_imageSize = nullptr;
    QComboBox* m_channels = nullptr;
    QCheckBox* m_rotations = nullptr;
    QComboBox* m_trainSplit = nullptr;
    QComboBox* m_valSplit = nullptr;
    QComboBox* m_testSplit = nullptr;
    QComboBox* m_pickerRole = nullptr;
    ClassPicker* m_picker = nullptr;
    QSpinBox* m_ways = nullptr;
    QSpinBox* m_shots = nullptr;
    QSpinBox* m_queries = nullptr;
    QSpinBox* m_stepsTrain = nullptr;
    QSpinBox* m_stepsEval = nullptr;
    QDoubleSpinBox* m_innerLr = nullptr;
    QDoubleSpinBox* m_metaLr = nullptr;
    QSpinBox* m_metaBatch = nullptr;
    QSpinBox* m_iterations = nullptr;
    QComboBox* m_order = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_threads = nullptr;
    QSpinBox* m_processes = nullptr; ///< local training processes (maml-cli --nproc)
    QSpinBox* m_filters = nullptr;
    QSpinBox* m_valEvery = nullptr;
    // MAML++ (Antoniou et al. 2019), each part off by default
    QCheckBox* m_lslr = nullptr;
    QCheckBox* m_multiStepLoss = nullptr;
    QCheckBox* m_perStepBn = nullptr;
    QCheckBox* m_cosineMetaLr = nullptr;
    QSpinBox* m_firstOrderIterations = nullptr; ///< derivative-order annealing, 0 = off
    QCheckBox* m_checkpointSteps = nullptr;     ///< recompute inner steps in the meta-backward
    QFormLayout* m_dataForm = nullptr;
    QLabel* m_splitsLabel = nullptr;
    QBoxLayout* m_splitsLayout = nullptr;
    QFormLayout* m_settingsForm = nullptr;
    QGroupBox* m_classBox = nullptr;
    QLabel* m_corpusInfo = nullptr;
    QGroupBox* m_modelBox = nullptr; ///< the Transformer's settings (config.extra), text only
    QSpinBox* m_dModel = nullptr;
    QSpinBox* m_heads = nullptr;
    QSpinBox* m_layers = nullptr;
    QSpinBox* m_ff = nullptr;
    QComboBox* m_head = nullptr;
    QSpinBox* m_length = nullptr;
    QSpinBox* m_minCount = nullptr;
    QComboBox* m_lexicon = nullptr;
    QSpinBox* m_lexiconDims = nullptr;
    QLabel* m_message = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    WorkerThread m_worker{QStringLiteral("experiment dialog")}; ///< last member: stops before the rest goes
};

} // namespace maml::ui
