#include "ui/episodes/episodes_page.h"

#include "core/engine/data_kind.h"
#include "ui/common/error_html.h"
#include "ui/episodes/episode_view.h"
#include "ui/workbench.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

namespace maml::ui {

EpisodesPage::EpisodesPage(Workbench* workbench, QWidget* parent) : QWidget(parent), m_workbench(workbench)
{
    auto* title = m_title = new QLabel;
    title->setWordWrap(true);
    m_split = new QComboBox;
    m_split->addItem(tr("meta-training classes"), QStringLiteral("train"));
    m_split->addItem(tr("validation classes"), QStringLiteral("val"));
    m_split->addItem(tr("test classes"), QStringLiteral("test"));
    m_split->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_seed = new QSpinBox;
    m_seed->setRange(0, 2147483647);
    m_seed->setValue(1);
    m_seed->setKeyboardTracking(false);
    auto* resampleButton = new QPushButton(tr("Resample"));
    resampleButton->setToolTip(tr("A new random seed (F5)"));
    m_zoom = new QSlider(Qt::Horizontal);
    m_zoom->setRange(1, 8);
    m_zoom->setValue(2);
    m_zoom->setMaximumWidth(160);
    m_status = new QLabel;
    m_view = new EpisodeView;
    auto* scroll = new QScrollArea;
    scroll->setWidget(m_view);
    scroll->setWidgetResizable(true);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Classes:")));
    controls->addWidget(m_split);
    controls->addWidget(new QLabel(tr("Seed:")));
    controls->addWidget(m_seed);
    controls->addWidget(resampleButton);
    controls->addWidget(new QLabel(tr("Zoom:")));
    controls->addWidget(m_zoom);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(controls);
    layout->addWidget(m_status);
    layout->addWidget(scroll, 1);

    connect(m_split, &QComboBox::currentIndexChanged, this, &EpisodesPage::sample);
    connect(m_seed, &QSpinBox::valueChanged, this, &EpisodesPage::sample);
    connect(resampleButton, &QPushButton::clicked, this, &EpisodesPage::resample);
    connect(m_zoom, &QSlider::valueChanged, this, [this](int z) { m_view->setZoom(z); });
    connect(workbench, &Workbench::experimentChanged, this, &EpisodesPage::showMode);
    connect(workbench, &Workbench::experimentChanged, this, &EpisodesPage::sample);
    showMode();
    sample();
}

void EpisodesPage::showMode()
{
    const auto& c = m_workbench->experiment();
    const bool text = dataKindOf(c.dataset) == DataKind::Text;
    m_title->setText(text ? tr("<h2>2. Episodes</h2>A task as the meta-learner sees it: K labelled support "
                               "sentences per class, all from one domain, then the query sentences it must "
                               "classify. Drag a sentence to a text box of the Adapt page.")
                          : tr("<h2>2. Episodes</h2>A task as the meta-learner sees it: K labelled "
                               "support images per class, then the query images it must classify. "
                               "Drag any image to the Adapt page, or right-click it to save or copy it."));
    const QString splits[] = {QString::fromStdString(c.trainSplit), QString::fromStdString(c.valSplit),
                              QString::fromStdString(c.testSplit)};
    const QString names[] = {tr("meta-training"), tr("validation"), tr("test")};
    for (int i = 0; i < 3; ++i)
        m_split->setItemText(i, text ? tr("%1 domains (%2)").arg(names[i], splits[i])
                                     : tr("%1 classes").arg(names[i]));
}

void EpisodesPage::setSeed(int seed)
{
    m_seed->setValue(seed);
}

void EpisodesPage::resample()
{
    m_seed->setValue(static_cast<int>(QRandomGenerator::global()->bounded(1000000)));
}

void EpisodesPage::sample()
{
    const auto config = m_workbench->experiment();
    const QString role = m_split->currentData().toString();
    const QString split = QString::fromStdString(role == QLatin1String("train") ? config.trainSplit
                                                 : role == QLatin1String("val") ? config.valSplit
                                                                                : config.testSplit);
    const auto seed = static_cast<uint64_t>(m_seed->value());
    m_loading = true;
    const int generation = ++m_generation;
    m_status->setText(tr("Sampling..."));
    m_worker.run<EpisodePicture>(
        this, [config, split, seed] { return sampleEpisodePicture(config, split, seed); },
        [this, generation](EpisodePicture picture) {
            if (generation != m_generation)
                return;
            m_view->setPicture(picture);
            m_status->setText(tr("%1 - seed %2").arg(picture.description).arg(picture.seed));
            m_loading = false;
            Q_EMIT sampled();
        },
        [this, generation](const QString& message) {
            if (generation != m_generation)
                return;
            m_status->setText(errorHtml(message));
            m_loading = false;
            Q_EMIT sampled();
        });
}

} // namespace maml::ui
