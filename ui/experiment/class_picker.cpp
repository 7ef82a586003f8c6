#include "ui/experiment/class_picker.h"

#include "core/data/dataset.h"
#include "ui/common/dataset_image.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QVBoxLayout>

namespace maml::ui {
namespace {

/// What a class shows until its thumbnail arrives (and keeps when its image does not decode).
QIcon placeholderIcon()
{
    QPixmap pixmap(28, 28);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setPen(QColor(0xc8, 0xc8, 0xc8));
    p.drawRect(0, 0, 27, 27);
    return QIcon(pixmap);
}

} // namespace

ClassPicker::ClassPicker(QWidget* parent) : QWidget(parent)
{
    m_search = new QLineEdit;
    m_search->setPlaceholderText(tr("Search classes..."));
    m_search->setClearButtonEnabled(true);
    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("classList"));
    m_list->setIconSize(QSize(28, 28));
    m_list->setUniformItemSizes(true);
    m_randomCount = new QSpinBox;
    m_randomCount->setRange(1, 10000);
    m_randomCount->setValue(5);
    auto* random = new QPushButton(tr("Pick random"));
    random->setToolTip(tr("Check this many classes drawn at random from the split"));
    auto* clear = new QPushButton(tr("Use whole split"));
    m_summary = new QLabel;

    auto* row = new QHBoxLayout;
    row->addWidget(m_randomCount);
    row->addWidget(random);
    row->addWidget(clear);
    row->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search);
    layout->addWidget(m_list, 1);
    layout->addLayout(row);
    layout->addWidget(m_summary);

    connect(m_search, &QLineEdit::textChanged, this, &ClassPicker::applyFilter);
    connect(random, &QPushButton::clicked, this,
            [this] { checkRandom(m_randomCount->value(), QRandomGenerator::global()->generate()); });
    connect(clear, &QPushButton::clicked, this, [this] { setCheckedNames({}); });
    connect(m_list, &QListWidget::itemChanged, this, [this] {
        if (m_updating)
            return;
        updateSummary();
        Q_EMIT selectionChanged();
    });
}

void ClassPicker::setClasses(std::shared_ptr<const ImageDataset> dataset, const std::vector<int>& pool)
{
    const QStringList checked = checkedNames();
    const QIcon placeholder = placeholderIcon();
    m_updating = true;
    m_list->clear();
    for (int cls : pool) {
        const QString name = QString::fromStdString(dataset->classNames()[cls]);
        auto* item = new QListWidgetItem(name, m_list);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.contains(name) ? Qt::Checked : Qt::Unchecked);
        item->setToolTip(tr("%1: %2 images").arg(name).arg(dataset->imageCount(cls)));
        item->setIcon(placeholder);
    }
    m_updating = false;
    applyFilter(m_search->text());
    updateSummary();
    loadThumbnails(std::move(dataset), pool);
}

void ClassPicker::loadThumbnails(std::shared_ptr<const ImageDataset> dataset, const std::vector<int>& pool)
{
    const int generation = ++*m_generation;
    m_loadingThumbnails = true;
    m_worker.post([this, dataset, pool, generation, current = m_generation] {
        Thumbnails batch;
        for (int row = 0; row < static_cast<int>(pool.size()); ++row) {
            if (*current != generation || WorkerThread::interruptionRequested())
                return; // newer classes are shown, or the picker is going away
            try {
                if (dataset->imageCount(pool[row]) > 0)
                    batch.append({row, datasetImage(*dataset, pool[row], 0)});
            } catch (const std::exception&) {
                // An undecodable first image only costs the thumbnail; validation reports the class.
            }
            // In batches: the list repaints once per batch, not once per class.
            if (batch.size() == 32) {
                queueTo(this, [this, generation, batch] { showThumbnails(generation, batch, false); });
                batch.clear();
            }
        }
        queueTo(this, [this, generation, batch] { showThumbnails(generation, batch, true); });
    });
}

void ClassPicker::showThumbnails(int generation, const Thumbnails& thumbnails, bool last)
{
    if (generation != *m_generation)
        return;
    for (const auto& [row, image] : thumbnails)
        if (auto* item = m_list->item(row))
            item->setIcon(QPixmap::fromImage(image));
    if (last) {
        m_loadingThumbnails = false;
        Q_EMIT thumbnailsLoaded();
    }
}

QStringList ClassPicker::checkedNames() const
{
    QStringList names;
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->checkState() == Qt::Checked)
            names << m_list->item(i)->text();
    return names;
}

void ClassPicker::setCheckedNames(const QStringList& names)
{
    m_updating = true;
    for (int i = 0; i < m_list->count(); ++i)
        m_list->item(i)->setCheckState(names.contains(m_list->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
    m_updating = false;
    updateSummary();
    Q_EMIT selectionChanged();
}

void ClassPicker::checkRandom(int count, unsigned seed)
{
    QStringList all;
    for (int i = 0; i < m_list->count(); ++i)
        all << m_list->item(i)->text();
    QRandomGenerator rng(seed);
    for (int i = all.size() - 1; i > 0; --i)
        all.swapItemsAt(i, static_cast<int>(rng.bounded(i + 1)));
    setCheckedNames(all.mid(0, count));
}

int ClassPicker::classCount() const
{
    return m_list->count();
}

void ClassPicker::applyFilter(const QString& text)
{
    for (int i = 0; i < m_list->count(); ++i)
        m_list->item(i)->setHidden(!m_list->item(i)->text().contains(text, Qt::CaseInsensitive));
}

void ClassPicker::updateSummary()
{
    const int n = checkedNames().size();
    m_summary->setText(n == 0 ? tr("All %1 classes of the split are used.").arg(m_list->count())
                              : tr("%1 of %2 classes checked.").arg(n).arg(m_list->count()));
}

} // namespace maml::ui
