#include "ui/experiment/dataset_chooser.h"

#include "core/data/dataset_registry.h"
#include "core/engine/data_kind.h"
#include "core/text/text_datasets.h"
#include "ui/common/dataset_download.h"

#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>

namespace maml::ui {
namespace {

struct Kind {
    const char* id;
    const char* label;
    bool folder; ///< a folder picker (images) or a file picker (text)
    bool text;
    int imageSize;
    int channels;
};
// Sizes and channels are the datasets' defaults (core/data/dataset_registry.h).
constexpr Kind kKinds[] = {
    {"glyphs", "Glyphs (built in, generated from installed fonts)", false, false, 28, 1},
    {"fashion-mnist", "Fashion-MNIST (Debian package)", false, false, 28, 1},
    {"cifar100", "CIFAR-100 (download)", false, false, 32, 3},
    {"omniglot", "Omniglot (folder)", true, false, 28, 1},
    {"folder", "Image folder (one sub-folder per class)", true, false, 84, 3},
    {"sentiment-uci", "UCI sentiment sentences (amazon, yelp, imdb)", false, true, 28, 1},
    {"imdb50k", "IMDb 50k movie reviews", false, true, 28, 1},
    {"sentiment-uci+imdb50k", "UCI sentences + IMDb 50k reviews (joined)", false, true, 28, 1},
    {"text", "Your sentences (.tsv, .csv or .jsonl file)", true, true, 28, 1},
};

const Kind& kindOf(const QString& id)
{
    for (const auto& k : kKinds)
        if (id == QLatin1String(k.id))
            return k;
    return kKinds[0];
}

} // namespace

DatasetChooser::DatasetChooser(QWidget* parent) : QWidget(parent)
{
    m_mode = new QComboBox;
    m_mode->setObjectName(QStringLiteral("dataMode"));
    m_mode->addItem(tr("Images"), QStringLiteral("images"));
    m_mode->addItem(tr("Text"), QStringLiteral("text"));
    m_mode->setToolTip(tr("Image classes, or text: sentences with a label, tasks drawn from one domain"));
    m_kind = new QComboBox;
    m_kind->setObjectName(QStringLiteral("datasetKind"));
    fillKinds(false);
    m_folder = new QLineEdit;
    m_folder->setObjectName(QStringLiteral("datasetPath"));
    m_folder->setPlaceholderText(tr("Folder with the images"));
    m_browse = new QPushButton(tr("Browse..."));
    m_download = new QPushButton(tr("Download CIFAR-100 (161 MiB)"));
    m_progress = new QProgressBar;
    m_progress->setVisible(false);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(m_mode, 0, 0);
    grid->addWidget(m_kind, 0, 1, 1, 2);
    grid->addWidget(m_folder, 1, 0, 1, 2);
    grid->addWidget(m_browse, 1, 2);
    grid->addWidget(m_download, 2, 0);
    grid->addWidget(m_progress, 2, 1, 1, 2);
    grid->addWidget(m_status, 3, 0, 1, 3);
    grid->setColumnStretch(1, 1);

    connect(m_mode, &QComboBox::activated, this,
            [this] { setText(m_mode->currentData().toString() == QLatin1String("text")); });
    connect(m_kind, &QComboBox::currentIndexChanged, this, &DatasetChooser::onKindChanged);
    connect(m_browse, &QPushButton::clicked, this, &DatasetChooser::browse);
    connect(m_folder, &QLineEdit::editingFinished, this, [this] {
        refreshAvailability();
        Q_EMIT specChanged(spec());
    });
    connect(m_download, &QPushButton::clicked, this, &DatasetChooser::download);
    onKindChanged();
}

DatasetChooser::~DatasetChooser() = default;

QString DatasetChooser::kindId() const
{
    return m_kind->currentData().toString();
}

void DatasetChooser::fillKinds(bool text)
{
    QSignalBlocker block(m_kind);
    m_kind->clear();
    for (const auto& k : kKinds)
        if (k.text == text)
            m_kind->addItem(tr(k.label), QString::fromLatin1(k.id));
    QSignalBlocker blockMode(m_mode);
    m_mode->setCurrentIndex(text ? 1 : 0);
}

QString DatasetChooser::spec() const
{
    const QString id = kindId();
    const QString folder = m_folder->text().trimmed();
    // "text:" even without a file, so the spec stays a text spec (and says what is missing).
    if (id == QLatin1String("text"))
        return id + QLatin1Char(':') + folder;
    // "omniglot" alone lets the registry look in its default places.
    return folder.isEmpty() ? id : id + QLatin1Char(':') + folder;
}

void DatasetChooser::setSpec(const QString& spec)
{
    const int colon = spec.indexOf(QLatin1Char(':'));
    const QString id = colon < 0 ? spec : spec.left(colon);
    const bool text = offers(spec) && kindOf(id).text;
    fillKinds(text);
    const int index = m_kind->findData(id);
    QSignalBlocker block(m_kind);
    m_kind->setCurrentIndex(index < 0 ? 0 : index);
    m_folder->setText(colon < 0 ? QString() : spec.mid(colon + 1));
    const bool folder = kindOf(kindId()).folder || kindId() == QLatin1String("cifar100");
    m_folder->setVisible(folder);
    m_browse->setVisible(folder);
    refreshAvailability();
}

bool DatasetChooser::isText() const
{
    return kindOf(kindId()).text;
}

void DatasetChooser::setText(bool text)
{
    if (text == isText())
        return;
    fillKinds(text);
    onKindChanged();
}

bool DatasetChooser::offers(const QString& spec)
{
    const QString id = spec.section(QLatin1Char(':'), 0, 0);
    for (const auto& k : kKinds)
        if (id == QLatin1String(k.id))
            return true;
    return false;
}

bool DatasetChooser::isTextSpec(const QString& spec)
{
    return dataKindOf(spec.toStdString()) == DataKind::Text;
}

int DatasetChooser::defaultImageSize() const
{
    return kindOf(kindId()).imageSize;
}

int DatasetChooser::defaultChannels() const
{
    return kindOf(kindId()).channels;
}

void DatasetChooser::onKindChanged()
{
    const QString id = kindId();
    const bool folder = kindOf(id).folder || id == QLatin1String("cifar100");
    m_folder->setVisible(folder);
    m_browse->setVisible(folder);
    m_folder->clear();
    if (id == QLatin1String("omniglot"))
        for (const auto& info : knownDatasets())
            if (QString::fromStdString(info.spec).startsWith(QLatin1String("omniglot:")) && info.available)
                m_folder->setText(QString::fromStdString(info.spec).mid(9));
    if (id == QLatin1String("cifar100"))
        m_folder->setPlaceholderText(tr("Leave empty for the download folder"));
    else if (id == QLatin1String("text"))
        m_folder->setPlaceholderText(tr("A .tsv, .csv or .jsonl file: text, label[, domain]"));
    else
        m_folder->setPlaceholderText(tr("Folder with the images"));
    refreshAvailability();
    Q_EMIT specChanged(spec());
}

void DatasetChooser::browse()
{
    const QString dir =
        kindId() == QLatin1String("text")
            ? QFileDialog::getOpenFileName(this, tr("Choose a file of labelled sentences"), m_folder->text(),
                                           tr("Labelled sentences (*.tsv *.csv *.jsonl);;All files (*)"))
            : QFileDialog::getExistingDirectory(this, tr("Choose the dataset folder"), m_folder->text());
    if (dir.isEmpty())
        return;
    m_folder->setText(dir);
    refreshAvailability();
    Q_EMIT specChanged(spec());
}

void DatasetChooser::refreshAvailability()
{
    const QString id = kindId();
    const bool cifar = id == QLatin1String("cifar100");
    bool available = false;
    QString text;
    auto infos = knownDatasets();
    for (auto& info : knownTextDatasets())
        infos.push_back(std::move(info));
    for (const auto& info : infos) {
        const QString s = QString::fromStdString(info.spec);
        if (s != id && !s.startsWith(id + QLatin1Char(':')))
            continue;
        available = info.available;
        text = available ? tr("Found at %1").arg(QString::fromStdString(info.location))
                         : QString::fromStdString(info.howToGet);
        break;
    }
    if (id == QLatin1String("text"))
        text = m_folder->text().isEmpty()
                   ? tr("Choose a file with Browse...: one sentence per line with its label "
                        "(TSV, CSV or JSON lines; an optional domain column)")
                   : QString();
    else if (kindOf(id).folder && m_folder->text().isEmpty())
        text = tr("Choose the folder with Browse...");
    const bool downloading = m_downloadJob != nullptr;
    m_download->setVisible(cifar && m_folder->text().isEmpty() && (!available || downloading));
    m_download->setEnabled(!downloading);
    m_progress->setVisible(cifar && downloading);
    m_status->setText(text);
}

void DatasetChooser::download()
{
    m_downloadJob = new DatasetDownload(this);
    connect(m_downloadJob, &DatasetDownload::progress, this, [this](qint64 done, qint64 total) {
        m_progress->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0)
            m_progress->setValue(static_cast<int>(1000 * done / total));
        m_progress->setFormat(tr("%1 of %2 MiB").arg(done >> 20).arg(total >> 20));
    });
    connect(m_downloadJob, &DatasetDownload::finished, this, [this](bool ok, const QString& message) {
        m_downloadJob->deleteLater();
        m_downloadJob = nullptr;
        refreshAvailability();
        if (!ok)
            m_status->setText(message);
        else
            Q_EMIT specChanged(spec());
    });
    m_downloadJob->start();
    refreshAvailability();
}

} // namespace maml::ui
