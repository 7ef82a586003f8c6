#include "ui/data/data_page.h"

#include "core/data/dataset.h"
#include "core/data/dataset_registry.h"
#include "core/engine/data_kind.h"
#include "core/engine/image_task_source.h"
#include "core/text/text_datasets.h"
#include "core/text/text_task_source.h"
#include "ui/common/dataset_download.h"
#include "ui/common/dataset_image.h"
#include "ui/common/error_html.h"
#include "ui/workbench.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <map>

namespace maml::ui {
namespace {

struct Thumb {
    QString name;
    QImage image;
    int count = 0;
    QString tooltip;
};

/// One entry per domain of the meta-training split: its sentences per label and an example.
QVector<Thumb> textEntries(const ExperimentConfig& c)
{
    auto corpus = sharedTextCorpus(c.dataset);
    const std::string split = c.trainSplit == "train" ? "all@train" : c.trainSplit;
    std::map<std::pair<int, int>, std::vector<int>> byDomainLabel;
    for (int i : corpus->select(split)) {
        const auto& ex = corpus->example(i);
        byDomainLabel[{ex.domain, ex.label}].push_back(i);
    }
    QVector<Thumb> out;
    for (int d = 0; d < static_cast<int>(corpus->domainNames().size()); ++d) {
        QStringList counts, examples;
        int total = 0;
        for (int l = 0; l < static_cast<int>(corpus->labelNames().size()); ++l) {
            const auto it = byDomainLabel.find({d, l});
            if (it == byDomainLabel.end())
                continue;
            const QString label = QString::fromStdString(corpus->labelNames()[l]);
            counts << QStringLiteral("%1 %2").arg(label).arg(it->second.size());
            examples << QStringLiteral("%1: \"%2\"")
                            .arg(label, QString::fromStdString(corpus->example(it->second.front()).text));
            total += static_cast<int>(it->second.size());
        }
        if (total == 0)
            continue;
        const QString domain = QString::fromStdString(corpus->domainNames()[d]);
        out.append(
            {DataPage::tr("%1 - %2\n    %3")
                 .arg(domain, counts.join(QStringLiteral(", ")), examples.join(QStringLiteral("\n    "))),
             QImage(), total, DataPage::tr("domain %1: %2 sentences").arg(domain).arg(total)});
    }
    return out;
}

} // namespace

DataPage::DataPage(Workbench* workbench, QWidget* parent) : QWidget(parent), m_workbench(workbench)
{
    auto* title =
        new QLabel(tr("<h2>1. Data and experiment</h2>"
                      "Choose a dataset and the episode shape (N classes, K examples each). "
                      "Then look at an episode, train, evaluate and adapt - in the side bar's order."));
    title->setWordWrap(true);
    auto* newButton = new QPushButton(tr("New experiment..."));
    newButton->setObjectName(QStringLiteral("newExperimentButton"));
    auto* openButton = new QPushButton(tr("Open experiment JSON..."));
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("experimentSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_datasets = new QTableWidget(0, 4);
    m_datasets->setObjectName(QStringLiteral("datasetsTable"));
    m_datasets->setHorizontalHeaderLabels(
        {tr("Dataset"), tr("Status"), QString(), tr("Location / how to get it")});
    m_datasets->horizontalHeader()->setStretchLastSection(true);
    m_datasetStatus = new QLabel;
    m_datasetStatus->setObjectName(QStringLiteral("datasetStatus"));
    m_datasetStatus->setWordWrap(true);
    m_datasetStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_datasets->verticalHeader()->hide();
    m_datasets->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_datasets->setMaximumHeight(180);
    m_galleryTitle = new QLabel;
    m_gallery = new QListWidget;
    m_gallery->setViewMode(QListView::IconMode);
    m_gallery->setIconSize(QSize(56, 56));
    m_gallery->setGridSize(QSize(96, 84));
    m_gallery->setResizeMode(QListView::Adjust);
    m_gallery->setMovement(QListView::Static);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(newButton);
    buttons->addWidget(openButton);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(buttons);
    layout->addWidget(m_summary);
    layout->addWidget(new QLabel(tr("<b>Datasets on this machine</b>")));
    layout->addWidget(m_datasets);
    layout->addWidget(m_datasetStatus);
    layout->addWidget(m_galleryTitle);
    layout->addWidget(m_gallery, 1);

    connect(newButton, &QPushButton::clicked, this, &DataPage::newExperimentRequested);
    connect(openButton, &QPushButton::clicked, this, &DataPage::openExperimentRequested);
    connect(workbench, &Workbench::experimentChanged, this, [this] {
        refreshSummary();
        loadGallery();
    });
    refreshSummary();
    refreshDatasets();
    loadGallery();
}

void DataPage::refreshSummary()
{
    const auto& c = m_workbench->experiment();
    m_summary->setText(
        tr("<b>Experiment:</b> %1 - %2-way %3-shot, %4 queries per class; %5 iterations of meta-batch %6, "
           "%7 inner step(s) at lr %8 (%9 at evaluation), %10. Splits %11 / %12 / %13. %14")
            .arg(QString::fromStdString(c.dataset))
            .arg(c.ways)
            .arg(c.shots)
            .arg(c.queries)
            .arg(c.iterations)
            .arg(c.metaBatch)
            .arg(c.innerStepsTrain)
            .arg(c.innerLr)
            .arg(c.innerStepsEval)
            .arg(c.firstOrder ? tr("first-order MAML") : tr("second-order MAML"))
            .arg(QString::fromStdString(c.trainSplit), QString::fromStdString(c.valSplit),
                 QString::fromStdString(c.testSplit))
            .arg(m_workbench->experimentFile().isEmpty()
                     ? QString()
                     : tr("(file %1)").arg(m_workbench->experimentFile())));
}

void DataPage::refreshDatasets()
{
    auto infos = knownDatasets();
    for (auto& info : knownTextDatasets())
        infos.push_back(std::move(info));
    m_datasets->setRowCount(static_cast<int>(infos.size()));
    for (int row = 0; row < static_cast<int>(infos.size()); ++row) {
        const auto& info = infos[row];
        auto* spec = new QTableWidgetItem(QString::fromStdString(info.spec));
        spec->setToolTip(QString::fromStdString(info.description));
        m_datasets->setItem(row, 0, spec);
        m_datasets->setItem(row, 1, new QTableWidgetItem(info.available ? tr("available") : tr("missing")));
        // A missing dataset that lives in a folder of its own: choose where it is (or download).
        const QString name = QString::fromStdString(info.spec).section(QLatin1Char(':'), 0, 0);
        const bool choosable = name == QLatin1String("cifar100") || name == QLatin1String("omniglot") ||
                               name == QLatin1String("fashion-mnist");
        if (!info.available && choosable)
            m_datasets->setCellWidget(row, 2, rowActions(name));
        else
            m_datasets->removeCellWidget(row, 2);
        auto* where =
            new QTableWidgetItem(QString::fromStdString(info.available ? info.location : info.howToGet));
        where->setToolTip(where->text()); // the whole text where the column cuts it
        m_datasets->setItem(row, 3, where);
    }
    m_datasets->resizeColumnsToContents();
    m_datasets->resizeRowsToContents();
}

QWidget* DataPage::rowActions(const QString& name)
{
    auto* box = new QWidget;
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(2, 0, 2, 0);
    auto* choose = new QPushButton(tr("Choose folder..."));
    choose->setObjectName(QStringLiteral("choose-") + name);
    choose->setToolTip(tr("Point the workbench at a copy of %1 on this machine; it is remembered").arg(name));
    row->addWidget(choose);
    connect(choose, &QPushButton::clicked, this, [this, name] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose the folder of %1").arg(name));
        if (!dir.isEmpty())
            chooseFolder(name, dir);
    });
    if (name == QLatin1String("cifar100")) {
        auto* get = new QPushButton(m_download ? tr("Downloading...") : tr("Download (161 MiB)"));
        get->setObjectName(QStringLiteral("download-cifar100"));
        get->setEnabled(!m_download);
        get->setToolTip(tr("Download CIFAR-100 from its authors' site (needs internet) into %1")
                            .arg(QString::fromStdString((defaultCacheDir() / "cifar100").string())));
        row->addWidget(get);
        connect(get, &QPushButton::clicked, this, &DataPage::download);
    }
    return box;
}

bool DataPage::chooseFolder(const QString& name, const QString& dir)
{
    try {
        chooseDatasetFolder(name.toStdString(), dir.toStdString());
        m_datasetStatus->setText(
            tr("%1 is now read from %2 (remembered for later sessions and for maml-cli).").arg(name, dir));
        refreshDatasets();
        return true;
    } catch (const std::exception& e) {
        m_datasetStatus->setText(errorHtml(QString::fromUtf8(e.what())));
        return false;
    }
}

QString DataPage::datasetStatus() const
{
    return m_datasetStatus->text();
}

void DataPage::download()
{
    if (m_download)
        return;
    m_download = new DatasetDownload(this);
    connect(m_download, &DatasetDownload::progress, this, [this](qint64 done, qint64 total) {
        m_datasetStatus->setText(
            total > 0 ? tr("Downloading CIFAR-100: %1 of %2 MiB").arg(done >> 20).arg(total >> 20)
                      : tr("Downloading CIFAR-100: %1 MiB").arg(done >> 20));
    });
    connect(m_download, &DatasetDownload::finished, this, [this](bool ok, const QString& message) {
        m_download->deleteLater();
        m_download = nullptr;
        m_datasetStatus->setText(ok ? message : errorHtml(message));
        refreshDatasets();
    });
    m_download->start();
    m_datasetStatus->setText(tr("Downloading CIFAR-100..."));
    refreshDatasets();
}

void DataPage::loadGallery()
{
    const auto c = m_workbench->experiment();
    const bool text = dataKindOf(c.dataset) == DataKind::Text;
    m_loading = true;
    const int generation = ++m_generation;
    m_gallery->clear();
    // Text: one wrapped line per domain (counts and an example sentence) instead of thumbnails.
    m_gallery->setViewMode(text ? QListView::ListMode : QListView::IconMode);
    m_gallery->setGridSize(text ? QSize() : QSize(96, 84));
    m_gallery->setWordWrap(text);
    m_galleryTitle->setText(
        tr("<b>Classes of %1</b> (opening the dataset...)").arg(QString::fromStdString(c.dataset)));
    m_worker.run<QVector<Thumb>>(
        this,
        [c, text] {
            if (text)
                return textEntries(c);
            auto ds = openImageDataset(c);
            QVector<Thumb> thumbs;
            for (int cls : ds->splitClasses(c.trainSplit)) {
                if (WorkerThread::interruptionRequested())
                    break; // the page is going away
                thumbs.append({QString::fromStdString(ds->classNames()[cls]),
                               ds->imageCount(cls) > 0 ? datasetImage(*ds, cls, 0) : QImage(),
                               ds->imageCount(cls), QString()});
            }
            return thumbs;
        },
        [this, generation, c, text](QVector<Thumb> thumbs) {
            if (generation != m_generation)
                return;
            for (const auto& t : thumbs) {
                auto* item = text ? new QListWidgetItem(t.name, m_gallery)
                                  : new QListWidgetItem(QPixmap::fromImage(t.image), t.name, m_gallery);
                item->setToolTip(text ? t.tooltip : tr("%1: %2 images").arg(t.name).arg(t.count));
            }
            m_galleryTitle->setText(
                text ? tr("<b>Meta-training sentences of %1</b> (split '%2', %3 domain(s); "
                          "every task draws from one domain)")
                           .arg(QString::fromStdString(c.dataset), QString::fromStdString(c.trainSplit))
                           .arg(thumbs.size())
                     : tr("<b>Meta-training classes of %1</b> (split '%2', %3 classes)")
                           .arg(QString::fromStdString(c.dataset), QString::fromStdString(c.trainSplit))
                           .arg(thumbs.size()));
            m_loading = false;
            Q_EMIT loaded();
        },
        [this, generation](const QString& message) {
            if (generation != m_generation)
                return;
            m_galleryTitle->setText(errorHtml(message));
            m_loading = false;
            Q_EMIT loaded();
        });
}

} // namespace maml::ui
